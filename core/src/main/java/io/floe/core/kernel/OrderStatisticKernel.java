package io.floe.core.kernel;

/**
 * The blocked kernel behind {@link CoordinateKernels}: for each coordinate j, the mean of the
 * order statistics {@code firstRank..lastRank} of the K values {@code columns[i][j]}, summed in
 * double in ascending rank order and divided by their count, then rounded to float.
 *
 * <p>The columns are already "vertical" (coordinate j sits at offset j of every client array),
 * so the kernel copies a block of coordinates from each column into a K x block scratch buffer
 * that stays in the cache, runs a {@link SelectionNetwork} over it, and reads the wanted
 * wires. Blocks are independent, so large inputs are split over {@link KernelThreads} in
 * contiguous block ranges; each coordinate is computed the same way whatever the split.
 *
 * <p>Where the time goes, one thread, K = 32 (see RobustAggregationBenchmark in benchmarks/):
 * the comparator passes, then reading the input from main memory, which a plain copy of the
 * same columns shows to be about a third of the median's time; the trimmed mean adds its K - 2b
 * ranks in double, a scalar loop on JDK 17, whose C2 does not vectorize float-to-double
 * conversion (JDK 20 and later do). Loading the next block a slice at a time between the
 * comparator passes, to overlap memory reads with the min/max work, measured slower than
 * copying each block up front.
 */
final class OrderStatisticKernel {
    /**
     * Scratch budget: K x block floats within 256 KiB, a share of the L2 cache. Blocks that would
     * fit L1 (32 KiB: 256 coordinates at K = 32) measured slower: C2 runs the first and last few
     * iterations of each comparator loop in scalar code, and at 256 coordinates that is a large
     * part of the loop.
     */
    private static final int SCRATCH_FLOATS = 65536;
    private static final int MIN_BLOCK = 256;
    private static final int MAX_BLOCK = 4096;

    private OrderStatisticKernel() {
    }

    /** Coordinates per block for K columns: a power of two in [256, 4096]. */
    static int blockLength(int k) {
        int b = Integer.highestOneBit(Math.max(1, SCRATCH_FLOATS / k));
        return Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, b));
    }

    /** Arguments are checked by the facade. */
    static void meanOfRanks(float[][] columns, int firstRank, int lastRank, float[] out, int maxThreads) {
        int k = columns.length;
        int d = out.length;
        if (d == 0) {
            return;
        }
        SelectionNetwork network = SelectionNetwork.forRanks(k, firstRank, lastRank);
        int block = Math.min(blockLength(k), d);
        int blocks = (d + block - 1) / block;
        int tasks = KernelThreads.taskCount((long) k * d, blocks, maxThreads);
        KernelThreads.forEachTask(tasks, task -> runBlocks(columns, network, firstRank, lastRank, out, block,
                KernelThreads.rangeStart(blocks, tasks, task), KernelThreads.rangeStart(blocks, tasks, task + 1)));
    }

    private static void runBlocks(float[][] columns, SelectionNetwork network, int firstRank, int lastRank,
            float[] out, int block, int fromBlock, int toBlock) {
        int k = columns.length;
        float[][] wires = new float[k][block];
        double[] sum = firstRank == lastRank ? null : new double[block];
        for (int b = fromBlock; b < toBlock; b++) {
            int offset = b * block;
            int len = Math.min(block, out.length - offset);
            for (int i = 0; i < k; i++) {
                System.arraycopy(columns[i], offset, wires[i], 0, len);
            }
            network.apply(wires, len);
            if (sum == null) {
                System.arraycopy(wires[firstRank], 0, out, offset, len);
            } else {
                meanOfWires(wires, firstRank, lastRank, sum, out, offset, len);
            }
        }
    }

    /** out = (float) ((w[first] + w[first+1] + ... + w[last]) / count), left to right in double. */
    private static void meanOfWires(float[][] wires, int firstRank, int lastRank, double[] sum, float[] out,
            int offset, int len) {
        float[] first = wires[firstRank];
        for (int t = 0; t < len; t++) {
            sum[t] = first[t];
        }
        for (int r = firstRank + 1; r <= lastRank; r++) {
            float[] w = wires[r];
            for (int t = 0; t < len; t++) {
                sum[t] += w[t];
            }
        }
        double count = lastRank - firstRank + 1;
        for (int t = 0; t < len; t++) {
            out[offset + t] = (float) (sum[t] / count);
        }
    }
}
