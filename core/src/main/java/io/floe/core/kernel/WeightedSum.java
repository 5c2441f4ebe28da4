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

    /** As above, on at most {@code maxThreads} threads. */
    public static void of(float[][] columns, double[] weights, float[] out, int maxThreads) {
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
                }
                for (int j = 0; j < n; j++) {
                    out[from + j] = (float) acc[j];
                }
            }
        });
    }
}
