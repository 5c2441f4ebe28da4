package io.floe.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.anomaly.NormScores;
import io.floe.core.chunk.ExactSum;
import io.floe.core.chunk.NextSlice;
import io.floe.core.privacy.CentralDp;
import io.floe.core.privacy.NoiseSeed;
import io.floe.core.privacy.PrivacyLedger;
import io.floe.schema.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Central DP on chunked models: the plan from norms, by hand, the noise per chunk, and the budget. */
class ChunkedDpTest {
    private static final byte[] SECRET = "a-secret-of-more-than-16-bytes".getBytes(StandardCharsets.UTF_8);

    private static CentralDp fixed(double z, double clip, double targetEpsilon) {
        return new CentralDp(z, clip, false, 0.5, 0.2, 1, 1e-5, targetEpsilon, 3);
    }

    private static List<ModelUpdate> headers(String... clients) {
        return java.util.Arrays.stream(clients).map(c -> ModelUpdate.newBuilder().setUpdateId("u-" + c).setModelId("m").setClientId(c)
                .setBaseVersion(0).setNumExamples(10).setLocalSteps(1).setCreatedAt(Instant.EPOCH).setTensors(List.of())
                .setMetrics(Map.of("dp_epsilon", 2.5)).build()).toList();
    }

    @Test
    void updatesOverTheBoundAreDividedByTheirNormOverCAndTheNoiseIsZCPerCoordinate() {
        // norms 0.5, 2 and 4 with C = 1: the last two are clipped by factors 1/2 and 1/4
        List<NormScores.Norm> norms = List.of(new NormScores.Norm("u-c", "c", 1, 16), new NormScores.Norm("u-a", "a", 1, 0.25),
                new NormScores.Norm("u-b", "b", 1, 4));
        ChunkedDp.Plan plan = ChunkedDp.plan(fixed(0.8, 1.0, 0), PrivacyLedger.start(1.0), SECRET, "m", 1, norms, headers("a", "b", "c"));

        ChunkedDp.Private p = (ChunkedDp.Private) plan;
        assertThat(p.divisors()).containsExactly(Map.entry("u-b", 2.0), Map.entry("u-c", 4.0));
        assertThat(p.noiseStd()).isEqualTo(0.8);
        assertThat(p.denominator()).isEqualTo(3);
        assertThat(p.after().rounds()).isEqualTo(1);
        assertThat(p.entry().getRounds()).isEqualTo(1);
        assertThat(p.entry().getEpsilon()).isPositive();
        assertThat(p.entry().getClientEpsilons()).containsEntry("a", 2.5);
        // each chunk its own seed: (secret, model, version, chunk)
        assertThat(p.chunkSeed(0)).isEqualTo(NoiseSeed.of(SECRET, "m", 1, 0)).isNotEqualTo(p.chunkSeed(1));
        assertThat(NoiseSeed.of(SECRET, "m", 1, 0)).isNotEqualTo(NoiseSeed.of(SECRET, "m", 2, 0));
    }

    @Test
    void theNoiseOfAChunkReplaysFromItsSeedAndTheSliceIsWPlusTheNoisyMean() {
        double[] a = NextSlice.gaussianNoise(NoiseSeed.of(SECRET, "m", 3, 7), 1000, 0.5);
        double[] b = NextSlice.gaussianNoise(NoiseSeed.of(SECRET, "m", 3, 7), 1000, 0.5);
        assertThat(a).containsExactly(b);
        double mean = java.util.Arrays.stream(a).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(a).map(x -> (x - mean) * (x - mean)).sum() / (a.length - 1));
        assertThat(mean).isCloseTo(0, within(0.05));
        assertThat(sd).isCloseTo(0.5, within(0.05));

        // by hand: w = (1, 2), S = 1 x (0.5, -1) + 1 x (0.25, 0.25) = (0.75, -0.75), noise (0.1, -0.2), K = 3, eta 1
        ExactSum sum = new ExactSum(2);
        sum.add(1, new float[] {0.5f, -1f});
        sum.add(1, new float[] {0.25f, 0.25f});
        float[] next = NextSlice.of(new float[] {1f, 2f}, "fedavg", 0, List.of(), sum, 3, 1.0, "fedavg", Map.of(),
                new double[] {0.1, -0.2}).values();
        assertThat(next[0]).isEqualTo((float) (1 + (0.75 + 0.1) / 3));
        assertThat(next[1]).isEqualTo((float) (2 + (-0.75 - 0.2) / 3));
    }

    @Test
    void aRoundThatWouldPassTheTargetEpsilonStopsTheModelWithAnExhaustedLedger() {
        // z = 0.5 spends a lot per round: a target of 0.1 is passed by the first round
        ChunkedDp.Plan plan = ChunkedDp.plan(fixed(0.5, 1.0, 0.1), PrivacyLedger.start(1.0), SECRET, "m", 1,
                List.of(new NormScores.Norm("u-a", "a", 1, 1)), headers("a"));

        ChunkedDp.Exhausted e = (ChunkedDp.Exhausted) plan;
        assertThat(e.after().exhausted()).isTrue();
        assertThat(e.after().rounds()).isZero();
        assertThat(e.entry().getExhausted()).isTrue();
        assertThat(e.note()).contains("privacy budget exhausted", "version 1");
    }

    @Test
    void adaptiveClippingMovesCTowardsTheTargetQuantile() {
        // all three within C = 10: the unclipped share ~1 > gamma = 0.5, so C shrinks (Andrew et al. 2021), by about exp(-0.2 x 0.5)
        CentralDp adaptive = new CentralDp(0.1, 10.0, true, 0.5, 0.2, 0.06, 1e-5, 0, 3);
        ChunkedDp.Private p = (ChunkedDp.Private) ChunkedDp.plan(adaptive, PrivacyLedger.start(10.0), SECRET, "m", 1,
                List.of(new NormScores.Norm("u-a", "a", 1, 1), new NormScores.Norm("u-b", "b", 1, 4), new NormScores.Norm("u-c", "c", 1, 9)),
                headers("a", "b", "c"));
        assertThat(p.divisors()).isEmpty();
        assertThat(p.after().clipNorm()).isCloseTo(10 * Math.exp(-0.2 * 0.5), within(0.1));
        assertThat(p.noiseStd()).isEqualTo(adaptive.sumNoiseMultiplier() * 10.0);
    }
}
