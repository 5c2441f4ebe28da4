package io.floe.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairwiseDistancesTest {

    private static float[][] gaussian(int k, int d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] v = new float[k][d];
        for (float[] x : v) {
            for (int j = 0; j < d; j++) {
                x[j] = (float) (rnd.nextGaussian() * (1 + j % 5));
            }
        }
        return v;
    }

    @Test
    void handComputedDistances() {
        // Prepare
        float[][] v = {{0f, 0f}, {3f, 4f}, {-1f, 0f}};

        // Execute
        double[][] d = PairwiseDistances.squaredL2(v);

        // Assert
        assertThat(d[0]).containsExactly(0, 25, 1);
        assertThat(d[1]).containsExactly(25, 0, 32);
        assertThat(d[2]).containsExactly(1, 32, 0);
    }

    @Test
    void matchesTheReferenceUpToSummationOrder() {
        for (int k : new int[] {1, 2, 3, 10, 33}) {
            int chunk = SquaredDistanceKernel.chunkLength(k);
            for (int len : List.of(1, 7, chunk - 1, chunk, chunk + 1, 10_003, chunk * 17 + 3)) {
                // Prepare
                float[][] v = gaussian(k, len, 13L * k + len);

                // Execute
                double[][] fast = PairwiseDistances.squaredL2(v, 1);
                double[][] ref = ReferenceKernels.squaredL2(v);

                // Assert
                for (int p = 0; p < k; p++) {
                    assertThat(fast[p][p]).isZero();
                    for (int q = 0; q < k; q++) {
                        assertThat(fast[p][q]).as("K=%d d=%d (%d,%d)", k, len, p, q)
                                .isCloseTo(ref[p][q], within(1e-12 * ref[p][q]))
                                .isEqualTo(fast[q][p]);
                    }
                }
            }
        }
    }

    @Test
    void threadsDoNotChangeABit() {
        // Prepare: 10 vectors of 200k are above the split size
        float[][] v = gaussian(10, 200_000, 3);

        // Execute
        double[][] one = PairwiseDistances.squaredL2(v, 1);
        double[][] three = PairwiseDistances.squaredL2(v, 3);

        // Assert
        for (int p = 0; p < v.length; p++) {
            assertThat(three[p]).containsExactly(one[p]);
        }
    }

    @Test
    void equalVectorsAreAtZeroAndExtremesStayFinite() {
        // Prepare
        float max = Float.MAX_VALUE;
        float[][] v = {{max, -max, 0f}, {max, -max, 0f}, {-max, max, -0.0f}};

        // Execute
        double[][] d = PairwiseDistances.squaredL2(v);

        // Assert: (2 MAX)^2 = 4.6e77 twice fits a double
        assertThat(d[0][1]).isZero();
        assertThat(d[0][2]).isEqualTo(8.0 * max * max).isFinite();
    }

    @Test
    void rejectsRaggedOrMissingVectors() {
        // Execute / Assert
        assertThatThrownBy(() -> PairwiseDistances.squaredL2(new float[][] {{1f}, {1f, 2f}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vectors[1] has 2 values but vectors[0] has 1");
        assertThatThrownBy(() -> PairwiseDistances.squaredL2(new float[0][]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one vector");
        assertThatThrownBy(() -> PairwiseDistances.squaredL2(new float[][] {{1f}, null}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vectors[1] is null");
    }
}
