package io.floe.core.kernel;

/**
 * FedAvg's fold: {@code out[j] = (float) sum_k w_k * x_k[j]}, each coordinate summed in double in
 * the order of k. Coordinates are independent, so they are taken in blocks of {@link #BLOCK} (the
 * block's double sums stay in L1/L2 while the K inputs stream through), and the blocks are split
 * into contiguous ranges over {@link KernelThreads}. Every coordinate's sum is the same expression
 * in the same order whatever the split, so the result does not depend on the thread count.
 */
public final class WeightedSum {
    /** Coordinates per block: 4,096 doubles, 32 KiB. */
    static final int BLOCK = 4096;

    private WeightedSum() {
    }

    /** Into {@code out} (length d), from K arrays of length d and their K weights, on up to the default kernel threads. */
    public static void of(float[][] columns, double[] weights, float[] out) {
        of(columns, weights, out, KernelThreads.defaultMaxThreads());
    }

    /** As {@link #of(float[][], double[], float[], double[], int)} on the default kernel threads. */
    public static void of(float[][] columns, double[] weights, float[] out, double[] squares) {
        of(columns, weights, out, squares, KernelThreads.defaultMaxThreads());
    }

    /** As above, on at most {@code maxThreads} threads. */
    public static void of(float[][] columns, double[] weights, float[] out, int maxThreads) {
        of(columns, weights, out, null, maxThreads);
    }

    /**
     * As above, and adds each array's sum of squares to {@code squares[k]} (null: none) from the same
     * pass: each block's values are squared while they are in cache from the fold, with eight running
     * sums a block, and the blocks' sums are added in block order, so the result does not depend on
     * the thread count either. FedAvg's norm scores come from the fold this way (issue 13).
     */
    public static void of(float[][] columns, double[] weights, float[] out, double[] squares, int maxThreads) {
        if (squares != null && squares.length != columns.length) {
            throw new IllegalArgumentException(columns.length + " arrays with " + squares.length + " sums of squares");
        }
        if (columns.length != weights.length) {
            throw new IllegalArgumentException(columns.length + " arrays with " + weights.length + " weights");
        }
        for (float[] c : columns) {
            if (c.length != out.length) {
                throw new IllegalArgumentException("an array of " + c.length + " values for an output of " + out.length);
            }
        }
        int d = out.length;
        int blocks = (d + BLOCK - 1) / BLOCK;
        int tasks = KernelThreads.taskCount((long) columns.length * d, blocks, KernelThreads.checkThreads(maxThreads));
        double[][] blockSquares = squares == null ? null : new double[blocks][columns.length];
        KernelThreads.forEachTask(tasks, task -> {
            double[] acc = new double[BLOCK];
            int last = KernelThreads.rangeStart(blocks, tasks, task + 1);
            for (int b = KernelThreads.rangeStart(blocks, tasks, task); b < last; b++) {
                int from = b * BLOCK;
                int n = Math.min(BLOCK, d - from);
                java.util.Arrays.fill(acc, 0, n, 0.0);
                int k = 0;
                // four arrays a pass: acc[j] = (((acc[j] + w0 x0) + w1 x1) + w2 x2) + w3 x3, the same additions
                // in the same order as one array at a time (Java rounds every + and *), a quarter of acc's loads and stores
                for (; k + 3 < columns.length; k += 4) {
                    float[] v0 = columns[k];
                    float[] v1 = columns[k + 1];
                    float[] v2 = columns[k + 2];
                    float[] v3 = columns[k + 3];
                    double w0 = weights[k];
                    double w1 = weights[k + 1];
                    double w2 = weights[k + 2];
                    double w3 = weights[k + 3];
                    for (int j = 0; j < n; j++) {
                        acc[j] = acc[j] + w0 * v0[from + j] + w1 * v1[from + j] + w2 * v2[from + j] + w3 * v3[from + j];
                    }
                }
                for (; k < columns.length; k++) {
                    float[] v = columns[k];
                    double wk = weights[k];
                    for (int j = 0; j < n; j++) {
                        acc[j] += wk * v[from + j];
                    }
                }
                if (blockSquares != null) {
                    for (int i = 0; i < columns.length; i++) {
                        blockSquares[b][i] = squaresOf(columns[i], from, n);
                    }
                }
                for (int j = 0; j < n; j++) {
                    out[from + j] = (float) acc[j];
                }
            }
        });
        if (squares != null) {
            for (double[] block : blockSquares) {
                for (int k = 0; k < squares.length; k++) {
                    squares[k] += block[k];
                }
            }
        }
    }

    /** The sum of squares of {@code v[from, from + n)}, in four running sums (the same order for any split into tasks). */
    private static double squaresOf(float[] v, int from, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int j = from;
        int end = from + n;
        for (; j + 7 < end; j += 8) {
            s0 += (double) v[j] * v[j];
            s1 += (double) v[j + 1] * v[j + 1];
            s2 += (double) v[j + 2] * v[j + 2];
            s3 += (double) v[j + 3] * v[j + 3];
            s4 += (double) v[j + 4] * v[j + 4];
            s5 += (double) v[j + 5] * v[j + 5];
            s6 += (double) v[j + 6] * v[j + 6];
            s7 += (double) v[j + 7] * v[j + 7];
        }
        for (; j < end; j++) {
            s0 += (double) v[j] * v[j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
