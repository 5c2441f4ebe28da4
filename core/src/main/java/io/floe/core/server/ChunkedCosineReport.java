package io.floe.core.server;

import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.core.anomaly.Decision;
import io.floe.core.anomaly.UpdateScores;
import io.floe.schema.AggregationReport;
import io.floe.schema.UpdateScore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A chunked round's report completed with the cosine scores its chunks' shares give
 * ({@link io.floe.core.anomaly.MedianCosines}): the coordinator writes the report from the norms at
 * the close, before any chunk has run the rule; the manifest writer, once every chunk's share is
 * in, sets each member's {@code cosineToMedian} and judges it again by the model's policy (on the
 * chunked path, {@code flag}: a cosine below the threshold flags the update, and the model is what
 * the rule made of it either way).
 */
public final class ChunkedCosineReport {
    private ChunkedCosineReport() {
    }

    /**
     * @param members the round's members, in the order of {@code cosines}
     * @param policy the model's anomaly policy, or null to leave decisions as they are
     */
    public static AggregationReport withCosines(AggregationReport report, String[] members, double[] cosines, AnomalyPolicy policy) {
        Map<String, Double> byId = new HashMap<>();
        for (int i = 0; i < members.length; i++) {
            byId.put(members[i], cosines[i]);
        }
        List<UpdateScore> scores = new ArrayList<>(report.getScores().size());
        for (UpdateScore s : report.getScores()) {
            Double cos = byId.get(s.getUpdateId());
            if (cos == null) {
                scores.add(s);
                continue;
            }
            UpdateScore.Builder b = UpdateScore.newBuilder(s).setCosineToMedian(cos);
            if (policy != null && !Decision.REJECT.name().equals(s.getDecision())) {
                AnomalyPolicy.Verdict v = policy.judge(new UpdateScores(s.getUpdateId(), s.getClientId(), s.getL2Norm(), s.getNormZ(),
                        cos, s.getKrumScore()));
                b.setDecision(v.decision().name()).setReason(v.reason());
            }
            scores.add(b.build());
        }
        return AggregationReport.newBuilder(report).setScores(scores).build();
    }
}
