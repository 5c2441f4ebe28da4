package io.floe.flink.aggregate;

import io.floe.core.validate.Rejection;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AggregationReport;
import org.apache.flink.util.Collector;

/**
 * Where the operator's results go: every model version, report and dead letter leaves through
 * one collector as an {@link OutboundRecord} naming its topic, so the one exactly-once Kafka sink
 * commits them together.
 */
public final class Outputs {
    private final TopicNames topics;
    private final DeadLetters deadLetters;
    private final Collector<OutboundRecord> out;

    Outputs(TopicNames topics, DeadLetters deadLetters, Collector<OutboundRecord> out) {
        this.topics = topics;
        this.deadLetters = deadLetters;
        this.out = out;
    }

    /** A new global model version (its single-object bytes) on the models topic. */
    public void model(String modelId, byte[] version) {
        out.collect(OutboundRecord.keyed(topics.models(), modelId, version));
    }

    public void report(AggregationReport report) {
        out.collect(OutboundRecord.keyed(topics.reports(), report.getModelId(), WireCodec.AGGREGATION_REPORT.encode(report)));
    }

    /** The inbound record, as received, on the dead-letter topic with the reason it was not used. */
    public void deadLetter(InboundRecord origin, Rejection rejection, String modelId, String clientId, String updateId) {
        out.collect(deadLetters.of(origin, rejection, modelId, clientId, updateId));
    }

    /** The topics the job writes, e.g. to name the updates topic as an anomaly dead letter's source. */
    public TopicNames topics() {
        return topics;
    }
}
