package io.floe.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Cosines to the coordinate-wise median from per-chunk shares equal the whole-vector scores. */
class MedianCosinesTest {

    @Test
    void byHandOnTwoChunks() {
        // three updates of 4 values, chunks [0, 2) and [2, 4); median (1, 0, 2, 1)
        float[][] chunk0 = {{1, 0}, {1, 1}, {-3, 0}};
        float[][] chunk1 = {{2, 1}, {0, 1}, {2, 5}};
        MedianCosines.Share s0 = MedianCosines.of(chunk0);
        MedianCosines.Share s1 = MedianCosines.of(chunk1);
        assertThat(s0.dots()).containsExactly(1, 1, -3);
        assertThat(s0.medianSquares()).isEqualTo(1);
        assertThat(s1.dots()).containsExactly(5, 1, 9);
        assertThat(s1.medianSquares()).isEqualTo(5);
        double[] norms = {Math.sqrt(6), Math.sqrt(3), Math.sqrt(38)};
        double[] cos = MedianCosines.cosines(List.of(s0, s1), norms);
        assertThat(cos[0]).isCloseTo(6 / (Math.sqrt(6) * Math.sqrt(6)), within(1e-15));
        assertThat(cos[1]).isCloseTo(2 / (Math.sqrt(3) * Math.sqrt(6)), within(1e-15));
        assertThat(cos[2]).isCloseTo(6 / (Math.sqrt(38) * Math.sqrt(6)), within(1e-15));
        assertThat(MedianCosines.cosines(List.of(s0, s1), new double[] {0, 1, 1})[0]).as("a zero update").isZero();
    }

    @Test
    void sharesOfRandomRoundsGiveTheWholeVectorCosines() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int round = 0; round < 20; round++) {
            int k = 3 + rnd.nextInt(8);
            int d = 50 + rnd.nextInt(3000);
            int chunk = 16 + rnd.nextInt(700);
            float[][] deltas = new float[k][d];
            List<ClientUpdate> updates = new ArrayList<>();
            double[] norms = new double[k];
            for (int i = 0; i < k; i++) {
                double scale = i == 0 && round % 2 == 0 ? -5 : 1; // a sign-flipped, boosted one in half the rounds
                for (int j = 0; j < d; j++) {
                    deltas[i][j] = (float) ((rnd.nextGaussian() * 0.1 + 0.2) * scale);
                }
                norms[i] = Math.sqrt(Arrays.stream(toDouble(deltas[i])).map(x -> x * x).sum());
                updates.add(new ClientUpdate(String.format("u-%02d", i), "c" + i, 0, 10, 1,
                        new ModelWeights(List.of(new Tensor("w", new int[] {d}, deltas[i]))), Map.of()));
            }
            List<MedianCosines.Share> shares = new ArrayList<>();
            for (int from = 0; from < d; from += chunk) {
                int to = Math.min(d, from + chunk);
                float[][] members = new float[k][];
                for (int i = 0; i < k; i++) {
                    members[i] = Arrays.copyOfRange(deltas[i], from, to);
                }
                shares.add(MedianCosines.of(members));
            }
            double[] cos = MedianCosines.cosines(shares, norms);
            List<UpdateScores> whole = AnomalyScorer.score(updates, 0);
            for (int i = 0; i < k; i++) {
                assertThat(cos[i]).as("round %d update %d", round, i).isCloseTo(whole.get(i).cosineToMedian(), within(1e-12));
            }
            if (round % 2 == 0) {
                assertThat(cos[0]).as("the flipped update points away from the median").isNegative();
            }
        }
    }

    private static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
