package io.floe.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FedAvg's fold by blocks and threads is the plain double sum in k order, bit for bit. */
class WeightedSumTest {

    private static float[] reference(float[][] columns, double[] weights) {
        double[] acc = new double[columns[0].length];
        for (int k = 0; k < columns.length; k++) {
            for (int j = 0; j < acc.length; j++) {
                acc[j] += weights[k] * columns[k][j];
            }
        }
        float[] out = new float[acc.length];
        for (int j = 0; j < acc.length; j++) {
            out[j] = (float) acc[j];
        }
        return out;
    }

    /** Random weights in [0, 1) and values of magnitudes 10^-3 to 10^3. */
    private static void fill(SplittableRandom rnd, float[][] columns, double[] weights) {
        for (int i = 0; i < columns.length; i++) {
            weights[i] = rnd.nextDouble();
            for (int j = 0; j < columns[i].length; j++) {
                columns[i][j] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-3, 4)));
            }
        }
    }

    @Test
    void anySplitIsThePlainSumBitForBit() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] shape : new int[][] {{1, 1}, {3, 4095}, {7, 3 * 4096 + 123}, {5, 400_000}}) {
            int k = shape[0];
            int d = shape[1];
            float[][] columns = new float[k][d];
            double[] weights = new double[k];
            fill(rnd, columns, weights);
            float[] expected = reference(columns, weights);
            for (int threads : new int[] {1, 2, 3}) {
                float[] out = new float[d];
                WeightedSum.of(columns, weights, out, threads);
                assertThat(out).as("K=%d d=%d threads=%d, bit for bit", k, d, threads).isEqualTo(expected); // Arrays.equals: fast on 400k values
            }
        }
    }

    @Test
    void theSquaresFromTheFoldAreEachArraysSumOfSquaresAndTheSameForAnySplit() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] shape : new int[][] {{1, 3}, {4, 4097}, {6, 5 * 4096 + 7}}) {
            int k = shape[0];
            int d = shape[1];
            float[][] columns = new float[k][d];
            double[] weights = new double[k];
            fill(rnd, columns, weights);
            double[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                float[] out = new float[d];
                double[] squares = new double[k];
                WeightedSum.of(columns, weights, out, squares, threads);
                assertThat(out).as("the fold is unchanged").containsExactly(reference(columns, weights));
                for (int i = 0; i < k; i++) {
                    double plain = 0;
                    for (float x : columns[i]) {
                        plain += (double) x * x;
                    }
                    assertThat(squares[i]).isCloseTo(plain, org.assertj.core.api.Assertions.within(1e-12 * plain));
                }
                if (first == null) {
                    first = squares;
                }
                assertThat(squares).as("threads=%d", threads).containsExactly(first);
            }
        }
        // by hand: (3, 4) and (1, 2, 2) over one block
        double[] squares = new double[2];
        WeightedSum.of(new float[][] {{3f, 4f, 0f}, {1f, 2f, 2f}}, new double[] {0.5, 0.5}, new float[3], squares, 1);
        assertThat(squares).containsExactly(25.0, 9.0);
    }

    @Test
    void mismatchedShapesAreRefused() {
        assertThatThrownBy(() -> WeightedSum.of(new float[][] {{1f, 2f}}, new double[] {1, 2}, new float[2]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WeightedSum.of(new float[][] {{1f, 2f}}, new double[] {1}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
