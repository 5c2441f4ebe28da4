package io.floe.core.server;

import io.floe.core.settings.AggregationSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.anomaly.Decision;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.schema.AggregationConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundAggregationTest {
    private static final ModelWeights LAYOUT = new ModelWeights(List.of(new Tensor("w", new int[] {2}, new float[2])));

    private static ClientUpdate u(String id, long n, float... v) {
        return new ClientUpdate(id, "client-" + id, 0, n, 1, new ModelWeights(List.of(new Tensor("w", new int[] {2}, v))), Map.of());
    }

    /** Four honest updates near (1, 1) and one boosted sign-flip. */
    private static List<ClientUpdate> round() {
        return List.of(u("a", 10, 1f, 1f), u("b", 10, 1.1f, 0.9f), u("c", 10, 0.9f, 1.1f), u("d", 10, 1f, 1.05f),
                u("e", 10, -20f, -20f));
    }

    private static AggregationSettings settings(String rule, String policy) {
        return AggregationSettings.from(AggregationConfig.newBuilder().setRule(rule).setClientsPerRound(5).setAnomalyPolicy(policy)
                .setByzantineClients(1).build());
    }

    @Test
    void rejectPolicyLeavesTheAttackerOutOfFedAvg() {
        RoundAggregation.Outcome o = RoundAggregation.run(round(), LAYOUT, settings("fedavg", "reject"));

        assertThat(o.rejected()).extracting(r -> r.scores().clientId()).containsExactly("client-e");
        float[] d = o.delta().tensors().get(0).values();
        assertThat(d[0]).isCloseTo((1f + 1.1f + 0.9f + 1f) / 4, within(1e-6f));
        assertThat(d[1]).isCloseTo((1f + 0.9f + 1.1f + 1.05f) / 4, within(1e-6f));
        assertThat(o.outcomes()).filteredOn(x -> x.scores().clientId().equals("client-e")).singleElement()
                .satisfies(x -> assertThat(x.weight()).isEqualTo(0.0));
    }

    @Test
    void flagPolicyKeepsEveryUpdateButMarksTheAttacker() {
        RoundAggregation.Outcome o = RoundAggregation.run(round(), LAYOUT, settings("fedavg", "flag"));

        assertThat(o.rejected()).isEmpty();
        assertThat(o.outcomes()).filteredOn(x -> x.decision() == Decision.FLAG).extracting(x -> x.scores().clientId())
                .containsExactly("client-e");
        assertThat(o.delta().tensors().get(0).values()[0]).isCloseTo((4f - 20f) / 5, within(1e-5f));
    }

    @Test
    void downweightMultipliesTheFedAvgWeight() {
        RoundAggregation.Outcome o = RoundAggregation.run(round(), LAYOUT, settings("fedavg", "downweight"));
        // e's n becomes round(10 * 0.1) = 1: weights 10/41 each for honest, 1/41 for e
        assertThat(o.delta().tensors().get(0).values()[0]).isCloseTo((10f * 4f - 20f) / 41f, within(1e-5f));
    }

    @Test
    void krumFallsBackToTheMedianWhenTooFewSurvive() {
        AggregationSettings krum = AggregationSettings.from(AggregationConfig.newBuilder().setRule("krum").setClientsPerRound(5)
                .setByzantineClients(1).setAnomalyPolicy("reject").build());
        RoundAggregation.Outcome o = RoundAggregation.run(round(), LAYOUT, krum);
        // 4 survivors, Krum needs K > 2f + 2 = 4
        assertThat(o.ruleApplied()).isEqualTo("median");
        assertThat(o.note()).contains("fell back to the coordinate-wise median");
    }

    @Test
    void aRoundWhoseUpdatesAreAllRejectedKeepsTheModel() {
        RoundAggregation.Outcome o = RoundAggregation.run(List.of(), LAYOUT, settings("fedavg", "reject"));
        assertThat(o.delta().tensors().get(0).values()).containsExactly(0f, 0f);
        assertThat(o.note()).contains("unchanged");
    }

    @Test
    void byDefaultAnUpdateOfAbsurdNormIsRejectedEvenUnderFlag() {
        List<ClientUpdate> round = List.of(u("a", 10, 1f, 1f), u("b", 10, 1.1f, 0.9f), u("c", 10, 0.9f, 1.1f),
                u("e", 10, 1e30f, -1e30f));
        RoundAggregation.Outcome o = RoundAggregation.run(round, LAYOUT, settings("fedavg", "flag"));

        assertThat(o.rejected()).extracting(r -> r.scores().clientId()).containsExactly("client-e");
        assertThat(o.rejected().get(0).scores().normRatio()).isGreaterThan(1e29);
        // median norm per step of sqrt(2), sqrt(2.02), sqrt(2.02), 1.414e30: (sqrt(2.02) + sqrt(2.02)) / 2
        assertThat(o.delta().tensors().get(0).values()[0]).isCloseTo((1f + 1.1f + 0.9f) / 3, within(1e-6f));

        AggregationSettings off = AggregationSettings.from(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(4)
                .setAnomalyPolicy("flag").setMaxNormRatio(0).build());
        assertThat(RoundAggregation.run(round, LAYOUT, off).rejected()).as("maxNormRatio 0: only flagged").isEmpty();
    }

    @Test
    void underANormOnlyPolicyFedAvgsScoresComeFromTheFoldWithTheSameModel() {
        AggregationSettings normsOnly = AggregationSettings.from(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(5)
                .setAnomalyPolicy("flag").setCosineThreshold(-1.0).build());
        RoundAggregation.Outcome fromTheFold = RoundAggregation.run(round(), LAYOUT, normsOnly);
        RoundAggregation.Outcome twoPasses = RoundAggregation.run(round(), LAYOUT, settings("fedavg", "flag"));

        assertThat(RoundAggregation.scoresFromTheFold(normsOnly.robustness())).isTrue();
        assertThat(RoundAggregation.scoresFromTheFold(settings("fedavg", "flag").robustness())).as("the default judges cosines")
                .isFalse();
        assertThat(fromTheFold.delta().tensors().get(0).values()).containsExactly(twoPasses.delta().tensors().get(0).values());
        for (int i = 0; i < 5; i++) {
            var a = fromTheFold.outcomes().get(i);
            var b = twoPasses.outcomes().get(i);
            assertThat(a.scores().l2Norm()).isCloseTo(b.scores().l2Norm(), within(1e-12 * b.scores().l2Norm()));
            assertThat(a.scores().normZ()).isCloseTo(b.scores().normZ(), within(1e-9));
            assertThat(a.scores().cosineToMedian()).as("no median computed").isNaN();
            assertThat(a.weight()).isEqualTo(b.weight());
        }
        // e = (-20, -20): norm sqrt(800), far from the others' ~1.41 by robust z, flagged by its norm alone
        assertThat(fromTheFold.outcomes().get(4).decision()).isEqualTo(Decision.FLAG);
        assertThat(fromTheFold.outcomes().get(4).scores().l2Norm()).isCloseTo(Math.sqrt(800), within(1e-9));
    }

    @Test
    void underANormOnlyPolicyAnAbsurdNormIsStillRejectedAndFedAvgRunsAgainWithoutIt() {
        List<ClientUpdate> round = List.of(u("a", 10, 1f, 1f), u("b", 20, 1.1f, 0.9f), u("c", 30, 0.9f, 1.1f),
                u("e", 10, 1e30f, -1e30f));
        AggregationSettings normsOnly = AggregationSettings.from(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(4)
                .setAnomalyPolicy("flag").setCosineThreshold(-1.0).build());
        RoundAggregation.Outcome o = RoundAggregation.run(round, LAYOUT, normsOnly);

        assertThat(o.rejected()).extracting(r -> r.scores().clientId()).containsExactly("client-e");
        // FedAvg of a, b, c by examples: (10 * 1 + 20 * 1.1 + 30 * 0.9) / 60
        assertThat(o.delta().tensors().get(0).values()[0]).isCloseTo((10 * 1f + 20 * 1.1f + 30 * 0.9f) / 60, within(1e-6f));
        assertThat(o.outcomes()).filteredOn(x -> x.decision() == Decision.REJECT).singleElement()
                .satisfies(x -> assertThat(x.weight()).isZero());
    }
}
