package io.floe.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DpFedAvgTest {

    private static ModelWeights w(float... v) {
        return new ModelWeights(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static ClientUpdate u(String id, float... v) {
        return new ClientUpdate(id, "c-" + id, 0, 10, 1, w(v), Map.of());
    }

    private static CentralDp dp(double z, int k) {
        return new CentralDp(z, 1.0, false, 0.5, 0.2, k / 20.0, 1e-5, 0, k);
    }

    @Test
    void clipsEachUpdateToTheBoundAndDividesByTheFixedDenominator() {
        // norm 5 (3,4) is clipped by 1/5; norm 0.5 (0.3,0.4) is kept; K = 4 although 2 arrived
        List<ClientUpdate> updates = List.of(u("a", 3f, 4f), u("b", 0.3f, 0.4f));
        DpFedAvg.Result r = DpFedAvg.aggregate(updates, w(0f, 0f), dp(1e-12, 4), 1.0, 7L);

        assertThat(r.clipFactors()).containsEntry("a", 0.2).containsEntry("b", 1.0);
        assertThat(r.norms().get("a")).isCloseTo(5.0, within(1e-6));
        assertThat(r.unclipped()).isEqualTo(1);
        float[] d = r.delta().tensors().get(0).values();
        assertThat(d[0]).isCloseTo((0.6f + 0.3f) / 4, within(1e-6f));
        assertThat(d[1]).isCloseTo((0.8f + 0.4f) / 4, within(1e-6f));
    }

    @Test
    void noiseHasStdZTimesCOnTheSum() {
        int d = 200_000;
        float[] zeros = new float[d];
        double z = 2.0;
        double c = 1.5;
        DpFedAvg.Result r = DpFedAvg.aggregate(List.of(u("a", zeros)), w(new float[d]), dp(z, 1), c, 42L);

        float[] v = r.delta().tensors().get(0).values();
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= d;
        double var = 0;
        for (float x : v) {
            var += (x - mean) * (x - mean);
        }
        double std = Math.sqrt(var / (d - 1));
        assertThat(mean).isCloseTo(0.0, within(0.02));
        assertThat(std).isCloseTo(z * c, within(0.01 * z * c));
    }

    @Test
    void theSameSeedReplaysTheSameNoiseAndAnotherVersionDiffers() {
        byte[] secret = "an auditor's secret".getBytes();
        List<ClientUpdate> updates = List.of(u("a", 1f, 2f, 3f), u("b", -1f, 0f, 1f));
        DpFedAvg.Result first = DpFedAvg.aggregate(updates, w(0f, 0f, 0f), dp(1.0, 2), 1.0, NoiseSeed.of(secret, "m", 5));
        DpFedAvg.Result replay = DpFedAvg.aggregate(List.of(updates.get(1), updates.get(0)), w(0f, 0f, 0f), dp(1.0, 2), 1.0,
                NoiseSeed.of(secret, "m", 5));
        DpFedAvg.Result nextVersion = DpFedAvg.aggregate(updates, w(0f, 0f, 0f), dp(1.0, 2), 1.0, NoiseSeed.of(secret, "m", 6));

        assertThat(replay.delta()).isEqualTo(first.delta());
        assertThat(nextVersion.delta()).isNotEqualTo(first.delta());
        assertThat(NoiseSeed.of("another secret".getBytes(), "m", 5)).isNotEqualTo(NoiseSeed.of(secret, "m", 5));
    }

    @Test
    void adaptiveClippingMovesTheBoundTowardsTheTargetQuantile() {
        // 3 of 4 updates under C = 1, gamma = 0.5, eta = 0.2, count noise negligible:
        // C' = 1 * exp(-0.2 * (3/4 - 0.5)) = exp(-0.05)
        CentralDp adaptive = new CentralDp(0.5, 1.0, true, 0.5, 0.2, 1e-9 + 0.5, 1e-5, 0, 4);
        List<ClientUpdate> updates = List.of(u("a", 0.1f), u("b", 0.2f), u("c", 0.3f), u("d", 5f));
        CentralDp nearlyNoiseless = new CentralDp(1e-6, 1.0, true, 0.5, 0.2, 1e-6, 1e-5, 0, 4);

        DpFedAvg.Result r = DpFedAvg.aggregate(updates, w(0f), nearlyNoiseless, 1.0, 3L);

        assertThat(r.unclipped()).isEqualTo(3);
        assertThat(r.nextClipNorm()).isCloseTo(Math.exp(-0.05), within(1e-5));
        assertThat(adaptive.sumNoiseMultiplier()).isCloseTo(Math.pow(Math.pow(0.5, -2) - Math.pow(2 * (0.5 + 1e-9), -2), -0.5),
                within(1e-9));
        assertThat(adaptive.sumNoiseMultiplier()).isGreaterThan(adaptive.noiseMultiplier());
    }
}
