package io.floe.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CoordinateKernelsTest {
    private static final int[] CLIENTS = {1, 2, 3, 5, 7, 10, 32, 33, 100};
    private static final float MAX = Float.MAX_VALUE;
    /** Ties, both zeros, subnormals and the extremes of float. */
    private static final float[] SPECIAL = {-MAX, MAX, -0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MIN_NORMAL, 1f, -1f, 1f, 3.5f, 1e30f, -1e-30f};

    /** Bitwise equality (-0.0 differs from 0.0), naming the first coordinate that differs. */
    static void assertSameFloats(float[] actual, float[] expected, String what) {
        int at = Arrays.mismatch(actual, expected);
        assertThat(at).as("%s: first difference at %d: %s vs expected %s", what, at,
                at < 0 || at >= actual.length ? "-" : actual[at], at < 0 || at >= expected.length ? "-" : expected[at])
                .isEqualTo(-1);
    }

    private static List<Integer> lengthsFor(int k) {
        int block = OrderStatisticKernel.blockLength(k);
        return List.of(1, 7, block - 1, block, block + 1, 10_003);
    }

    private static float[][] columns(int k, int d, String kind, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] c = new float[k][d];
        for (float[] col : c) {
            for (int j = 0; j < d; j++) {
                col[j] = switch (kind) {
                    case "gaussian" -> (float) rnd.nextGaussian();
                    case "ties" -> rnd.nextInt(3) - 1; // many equal values, including 0
                    default -> SPECIAL[rnd.nextInt(SPECIAL.length)];
                };
            }
        }
        return c;
    }

    private static List<Integer> trimsFor(int k) {
        List<Integer> b = new ArrayList<>(List.of(0, (k - 1) / 2, k / 10));
        if (k >= 3) {
            b.add(1);
        }
        return b;
    }

    @Test
    void medianAndTrimmedMeanEqualTheSortingReferenceBitForBit() {
        for (int k : CLIENTS) {
            for (int d : lengthsFor(k)) {
                for (String kind : List.of("gaussian", "ties", "special")) {
                    // Prepare
                    float[][] c = columns(k, d, kind, 31L * k + d);
                    float[] expected = new float[d];
                    float[] actual = new float[d];

                    // Execute
                    ReferenceKernels.median(c, expected);
                    CoordinateKernels.median(c, actual, 1);

                    // Assert (Arrays.equals on float[] tells -0.0 from 0.0)
                    assertSameFloats(actual, expected, "median K=" + k + " d=" + d + " " + kind);
                    for (int b : trimsFor(k)) {
                        ReferenceKernels.trimmedMean(c, b, expected);
                        CoordinateKernels.trimmedMean(c, b, actual, 1);
                        assertSameFloats(actual, expected, "trimmed mean b=" + b + " K=" + k + " d=" + d + " " + kind);
                    }
                }
            }
        }
    }

    @Test
    void trimmedMeanMatchesTheReferenceWithOutliersZerosAndMixedScales() {
        // The kernel sums the kept values exactly where it can prove it and sorts the other
        // coordinates; mix both kinds within blocks, with huge outliers to trim and wide ranges
        for (int k : new int[] {10, 32, 33}) {
            // Prepare
            int d = 3 * OrderStatisticKernel.blockLength(k) + 5;
            SplittableRandom rnd = new SplittableRandom(k);
            float[][] c = columns(k, d, "gaussian", 99L * k);
            for (int j = 0; j < d; j++) {
                int kind = rnd.nextInt(10);
                for (int i = 0; i < k; i++) {
                    if (kind == 0 && rnd.nextInt(4) == 0) {
                        c[i][j] = 0f; // a zero among the values
                    } else if (kind == 1) {
                        c[i][j] = Math.scalb(c[i][j], rnd.nextInt(-j % 40, 1 + j % 40)); // wide ranges
                    } else if (kind == 2 && rnd.nextInt(8) == 0) {
                        c[i][j] = rnd.nextBoolean() ? 1e30f : -MAX; // outliers
                    }
                }
            }
            float[] expected = new float[d];
            float[] actual = new float[d];
            for (int b : new int[] {0, 1, k / 10, k / 4}) {
                // Execute
                ReferenceKernels.trimmedMean(c, b, expected);
                CoordinateKernels.trimmedMean(c, b, actual, 1);

                // Assert
                assertSameFloats(actual, expected, "mixed K=" + k + " b=" + b);
            }
        }
    }

    @Test
    void threadsDoNotChangeTheResult() {
        // Prepare: 10 x 300k is above the size at which the kernel splits
        float[][] c = columns(10, 300_000, "gaussian", 7);
        float[] one = new float[300_000];
        float[] many = new float[300_000];
        float[] reference = new float[300_000];

        // Execute
        CoordinateKernels.trimmedMean(c, 1, one, 1);
        CoordinateKernels.trimmedMean(c, 1, many, 4);
        ReferenceKernels.trimmedMean(c, 1, reference);

        // Assert
        assertSameFloats(many, one, "4 threads vs 1");
        assertSameFloats(one, reference, "kernel vs reference");
    }

    @Test
    void medianOfHandComputedColumns() {
        // Prepare: coordinate 0 odd spread, 1 with a tie, 2 signed zeros, 3 far outlier
        float[][] c = {
            {1f, 2f, -0.0f, 1f},
            {5f, 2f, 0.0f, 2f},
            {3f, 7f, -0.0f, 1e30f}};
        float[] out = new float[4];

        // Execute
        CoordinateKernels.median(c, out);

        // Assert: the middle of {-0, -0, 0} is -0.0
        assertSameFloats(out, new float[] {3f, 2f, -0.0f, 2f}, "median");
    }

    @Test
    void evenCountTakesTheMeanOfTheMiddleTwoInDouble() {
        // Prepare
        float[][] c = {
            {1f, MAX, -MAX, -0.0f, -0.0f},
            {4f, MAX, MAX, 0.0f, -0.0f},
            {2f, MAX, 0f, 0.0f, -0.0f},
            {9f, MAX, 0f, -0.0f, -0.0f}};
        float[] out = new float[5];

        // Execute
        CoordinateKernels.median(c, out);

        // Assert: (2+4)/2; MAX+MAX would overflow a float sum; {-0,0} -> 0.0; {-0,-0} -> -0.0
        assertSameFloats(out, new float[] {3f, MAX, 0f, 0.0f, -0.0f}, "median");
    }

    @Test
    void trimmedMeanDropsTheExtremesAtEachSide() {
        // Prepare: five clients, two coordinates
        float[][] c = {{1f, -100f}, {2f, 0f}, {3f, 1f}, {4f, 2f}, {1000f, 3f}};
        float[] out = new float[2];

        // Execute / Assert: b = 1 keeps {2,3,4} and {0,1,2}
        CoordinateKernels.trimmedMean(c, 1, out);
        assertThat(out).containsExactly(3f, 1f);

        // b = 0 is the plain mean
        CoordinateKernels.trimmedMean(c, 0, out);
        assertThat(out).containsExactly(202f, -18.8f);

        // b = 2 keeps the median alone
        CoordinateKernels.trimmedMean(c, 2, out);
        assertThat(out).containsExactly(3f, 1f);
    }

    @Test
    void trimmedMeanOfExtremesStaysFinite() {
        // Prepare
        float[][] c = {{MAX, -MAX}, {MAX, -MAX}, {MAX, -MAX}};
        float[] out = new float[2];

        // Execute
        CoordinateKernels.trimmedMean(c, 0, out);

        // Assert
        assertThat(out).containsExactly(MAX, -MAX);
    }

    @Test
    void trimmedMeanWithTheMostTrimmingIsTheMedian() {
        for (int k : CLIENTS) {
            // Prepare
            float[][] c = columns(k, 513, "special", k);
            float[] median = new float[513];
            float[] trimmed = new float[513];

            // Execute
            CoordinateKernels.median(c, median);
            CoordinateKernels.trimmedMean(c, (k - 1) / 2, trimmed);

            // Assert
            assertSameFloats(trimmed, median, "K=" + k);
        }
    }

    @Test
    void emptyLengthIsANoOp() {
        // Execute / Assert
        float[] out = new float[0];
        CoordinateKernels.median(new float[][] {{}, {}}, out);
        CoordinateKernels.trimmedMean(new float[][] {{}, {}, {}}, 1, out);
        assertThat(out).isEmpty();
    }

    @Test
    void rejectsBadArgumentsWithClearMessages() {
        // Execute / Assert
        assertThatThrownBy(() -> CoordinateKernels.median(new float[0][], new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one column");
        assertThatThrownBy(() -> CoordinateKernels.median(new float[][] {{1f, 2f}, {1f}}, new float[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("columns[1] has 1 values but out has 2");
        assertThatThrownBy(() -> CoordinateKernels.median(new float[][] {{1f}, null}, new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("columns[1] is null");
        assertThatThrownBy(() -> CoordinateKernels.median(new float[][] {{1f}}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out is null");
        assertThatThrownBy(() -> CoordinateKernels.trimmedMean(new float[][] {{1f}, {2f}}, 1, new float[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trimming 1 values at each side of 2 leaves none");
        assertThatThrownBy(() -> CoordinateKernels.trimmedMean(new float[][] {{1f}}, -1, new float[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trimEachSide must be >= 0");
        assertThatThrownBy(() -> CoordinateKernels.median(new float[][] {{1f}}, new float[1], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxThreads must be at least 1");
    }
}
