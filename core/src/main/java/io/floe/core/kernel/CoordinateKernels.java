package io.floe.core.kernel;

/**
 * Coordinate-wise order statistics over K client arrays of the same length d: the median and the
 * trimmed mean of each coordinate's K values.
 *
 * <p>{@code columns[i]} is client i's array; {@code out[j]} receives the statistic of
 * {@code columns[0][j], ..., columns[K-1][j]}. Values are ordered as {@link Float#compare} orders
 * them ({@code -0.0f} before {@code 0.0f}); means are taken in double, adding the kept values in
 * ascending order, and rounded to float once, so sums of values near {@link Float#MAX_VALUE} do
 * not overflow. (The trimmed mean kernel gets the same bits another way where it can prove that
 * double sum exact; see OrderStatisticKernel.) Inputs must be free of NaN (the result for a coordinate holding NaN is
 * unspecified); the aggregation job only passes finite values.
 *
 * <p>The results equal {@link ReferenceKernels} bit for bit, for any {@code maxThreads}.
 *
 * <pre>{@code
 * float[] med = new float[d];
 * CoordinateKernels.median(new float[][] {delta0, delta1, delta2}, med);
 * }</pre>
 */
public final class CoordinateKernels {
    private CoordinateKernels() {
    }

    /**
     * Coordinate-wise median; for even K the mean of the two middle values, computed in double
     * ({@code (float) (((double) lo + hi) / 2)}).
     */
    public static void median(float[][] columns, float[] out) {
        median(columns, out, KernelThreads.defaultMaxThreads());
    }

    /** {@link #median(float[][], float[])} on at most {@code maxThreads} threads (1: the calling thread only). */
    public static void median(float[][] columns, float[] out, int maxThreads) {
        int k = checkColumns(columns, out);
        KernelThreads.checkThreads(maxThreads);
        OrderStatisticKernel.meanOfRanks(columns, (k - 1) / 2, k / 2, out, maxThreads);
    }

    /**
     * Coordinate-wise trimmed mean: per coordinate, drop the {@code trimEachSide} smallest and the
     * {@code trimEachSide} largest values and average the K - 2 * trimEachSide others (Yin, Chen,
     * Ramchandran, Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal Statistical
     * Rates", ICML 2018, Definition 2).
     *
     * @throws IllegalArgumentException when {@code trimEachSide < 0} or nothing would be left
     */
    public static void trimmedMean(float[][] columns, int trimEachSide, float[] out) {
        trimmedMean(columns, trimEachSide, out, KernelThreads.defaultMaxThreads());
    }

    /** {@link #trimmedMean(float[][], int, float[])} on at most {@code maxThreads} threads. */
    public static void trimmedMean(float[][] columns, int trimEachSide, float[] out, int maxThreads) {
        int k = checkColumns(columns, out);
        checkTrim(k, trimEachSide);
        KernelThreads.checkThreads(maxThreads);
        OrderStatisticKernel.meanOfRanks(columns, trimEachSide, k - 1 - trimEachSide, out, maxThreads);
    }

    /** Checks that there is at least one column and that every column is as long as {@code out}; returns K. */
    static int checkColumns(float[][] columns, float[] out) {
        if (columns == null || columns.length == 0) {
            throw new IllegalArgumentException("need at least one column (client array), got none");
        }
        if (out == null) {
            throw new IllegalArgumentException("out is null");
        }
        for (int i = 0; i < columns.length; i++) {
            if (columns[i] == null) {
                throw new IllegalArgumentException("columns[" + i + "] is null");
            }
            if (columns[i].length != out.length) {
                throw new IllegalArgumentException("columns[" + i + "] has " + columns[i].length
                        + " values but out has " + out.length + "; all columns must have out's length");
            }
        }
        return columns.length;
    }

    static void checkTrim(int k, int trimEachSide) {
        if (trimEachSide < 0) {
            throw new IllegalArgumentException("trimEachSide must be >= 0, was " + trimEachSide);
        }
        if (k - 2L * trimEachSide < 1) {
            throw new IllegalArgumentException("trimming " + trimEachSide + " values at each side of " + k
                    + " leaves none; need K - 2 * trimEachSide >= 1");
        }
    }
}
