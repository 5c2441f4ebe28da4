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
     * pass: each block's values are squared while they are in cache from the fold, with four running
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
                for (int k = 0; k < columns.length; k++) {
                    float[] v = columns[k];
                    double wk = weights[k];
                    for (int j = 0; j < n; j++) {
                        acc[j] += wk * v[from + j];
                    }
                    if (blockSquares != null) {
                        blockSquares[b][k] = squaresOf(v, from, n);
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
        int j = from;
        int end = from + n;
        for (; j + 3 < end; j += 4) {
            double a = v[j];
            double b = v[j + 1];
            double c = v[j + 2];
            double e = v[j + 3];
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += e * e;
        }
        for (; j < end; j++) {
            double a = v[j];
            s0 += a * a;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
