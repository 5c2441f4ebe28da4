package io.floe.flink.aggregate.mode;

import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** TEMPORARY until core's report builder lands. */
final class RoundReports {
    static final String STATUS_EXTENDED = "EXTENDED";

    private RoundReports() {
    }

    static AggregationReport extended(GlobalModel current, ModelSpec spec, Instant now, String note) {
        return AggregationReport.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(current.getVersion() + 1)
                .setBaseVersion(current.getVersion())
                .setCreatedAt(now)
                .setRule(spec.getAggregation().getRule())
                .setAccepted(List.of())
                .setRejected(List.of())
                .setClientMetrics(Map.of())
                .setScores(List.of())
                .setQuarantined(List.of())
                .setNote(note)
                .setPrivacy(null)
                .setStatus(STATUS_EXTENDED)
                .build();
    }
}
