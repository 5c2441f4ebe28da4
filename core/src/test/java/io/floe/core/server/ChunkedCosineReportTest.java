package io.floe.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.schema.AggregationReport;
import io.floe.schema.UpdateScore;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** A chunked report completed with the cosines of its members, judged again by a flag policy. */
class ChunkedCosineReportTest {

    private static UpdateScore score(String id, double normZ, String decision, String reason) {
        return UpdateScore.newBuilder().setUpdateId(id).setClientId("c-" + id).setL2Norm(2.0).setNormZ(normZ)
                .setCosineToMedian(Double.NaN).setKrumScore(Double.NaN).setDecision(decision).setReason(reason).build();
    }

    private static AggregationReport report(List<UpdateScore> scores) {
        return AggregationReport.newBuilder().setModelId("m").setVersion(4).setBaseVersion(3).setCreatedAt(Instant.ofEpochMilli(1))
                .setRule("median").setAccepted(List.of()).setRejected(List.of()).setScores(scores).build();
    }

    @Test
    void aNegativeCosineFlagsAnUpdateTheNormsAcceptedAndEveryMemberGetsItsCosine() {
        AggregationReport before = report(List.of(score("a", 0.1, "ACCEPT", ""), score("b", 0.2, "ACCEPT", ""),
                score("c", 5.0, "FLAG", "norm"), score("x", 900, "REJECT", "absurd")));

        AggregationReport after = ChunkedCosineReport.withCosines(before, new String[] {"a", "b", "c"},
                new double[] {0.8, -0.4, 0.7}, AnomalyPolicy.flagOnly());

        List<UpdateScore> s = after.getScores();
        assertThat(s).extracting(UpdateScore::getUpdateId).containsExactly("a", "b", "c", "x");
        assertThat(s.get(0).getCosineToMedian()).isEqualTo(0.8);
        assertThat(s.get(0).getDecision()).isEqualTo("ACCEPT");
        // b: its norm was fine, its direction is not
        assertThat(s.get(1).getCosineToMedian()).isEqualTo(-0.4);
        assertThat(s.get(1).getDecision()).isEqualTo("FLAG");
        assertThat(s.get(1).getReason()).contains("cosine", "-0.400");
        // c: still flagged for its norm (|z| 5 > 3.5), with its cosine now in the report
        assertThat(s.get(2).getDecision()).isEqualTo("FLAG");
        assertThat(s.get(2).getReason()).contains("robust z");
        // x was rejected at the close (not a member): untouched
        assertThat(s.get(3).getDecision()).isEqualTo("REJECT");
        assertThat(s.get(3).getCosineToMedian()).isNaN();
    }

    @Test
    void withoutAPolicyOnlyTheCosinesChange() {
        AggregationReport before = report(List.of(score("a", 0.1, "ACCEPT", "")));

        AggregationReport after = ChunkedCosineReport.withCosines(before, new String[] {"a"}, new double[] {-0.9}, null);

        assertThat(after.getScores().get(0).getCosineToMedian()).isEqualTo(-0.9);
        assertThat(after.getScores().get(0).getDecision()).isEqualTo("ACCEPT");
    }
}
