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
 * <p>The symmetric trimmed mean (ranks b..K-1-b, more than two of them) takes a faster route
 * with the same result (see {@code runTrimmedBlocks}): a smaller network that only separates the
 * b smallest and b largest values, and a float sum of the kept values that is provably exact
 * (hence equal to the sorted double sum) for the coordinates where it is used; the others are
 * sorted as above.
 *
 * <p>Where the time goes, one thread, K = 32 (see RobustAggregationBenchmark in benchmarks/):
 * the comparator passes, then reading the input from main memory, which a plain copy of the
 * same columns shows to be about a third of the median's time. Summing ranks in double is a
 * scalar loop on JDK 17, whose C2 does not vectorize float-to-double conversion (JDK 20 and
 * later do); the trimmed mean's exact float pair sum avoids it. Loading the next block a slice
 * at a time between the comparator passes, to overlap memory reads with the min/max work,
 * measured slower than copying each block up front.
 */
final class OrderStatisticKernel {
    /**
     * Scratch budget: K x block floats within 1 MiB, about the L2 cache of one core here. Smaller
     * blocks measured slower: C2 runs the first and last few iterations of each comparator loop in
     * scalar code, which weighs more on short loops, and each block's copy reads K short runs of
     * memory, which the hardware prefetcher serves worse than long ones. The previous budget,
     * 256 KiB (2048 coordinates at K = 32), was slower in JMH runs alternated with this one
     * (docs/performance.md, 28 November); blocks that fit L1 (256 coordinates at K = 32) slower
     * still.
     */
    private static final int SCRATCH_FLOATS = 1 << 18;
    private static final int MIN_BLOCK = 256;
    private static final int MAX_BLOCK = 8192;

    private OrderStatisticKernel() {
    }

    /** Coordinates per block for K columns: a power of two in [256, 8192]. */
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
        int count = lastRank - firstRank + 1;
        if (firstRank + lastRank == k - 1 && count > 2 && count <= MAX_EXACT_COUNT) {
            SelectionNetwork extremes = SelectionNetwork.forExtremes(k, firstRank);
            KernelThreads.forEachTask(tasks, task -> runTrimmedBlocks(columns, extremes, network, firstRank, out, block,
                    KernelThreads.rangeStart(blocks, tasks, task), KernelThreads.rangeStart(blocks, tasks, task + 1)));
            return;
        }
        KernelThreads.forEachTask(tasks, task -> runBlocks(columns, network, firstRank, lastRank, out, block,
                KernelThreads.rangeStart(blocks, tasks, task), KernelThreads.rangeStart(blocks, tasks, task + 1)));
    }

    /** Blocks sorted outright after one in which the exact sum failed for many coordinates, before trying again. */
    private static final int SORTED_BLOCKS_AFTER_FAILURE = 15;

    /** Kept values at most for the float pair route (its exactness check needs s = 24 - log2 P well above 0). */
    private static final int MAX_EXACT_COUNT = 1 << 19;

    /**
     * The symmetric trimmed mean, with the same result as sorting: the extremes network puts the
     * {@code trim} smallest and largest values on the outer wires and leaves the kept ones on the
     * middle wires, unordered. Their sum is taken as an unevaluated float pair (hi, lo) with
     * Knuth's TwoSum, which vectorizes. Where the kept values of a coordinate satisfy
     * {@code P * max|v| < 2^s * min|v|} with s = 24 - log2 P (P the power of two >= count; checked in
     * float, where both sides are exact, or an overflow to infinity makes the check fail or leaves
     * it true), every value is a multiple of g = ulp(min|v|) > 2^-24 min|v|, every partial sum is
     * below 2^(s+24) g in magnitude, every TwoSum error is a multiple of g of at most 2^(s-1) g, and
     * so lo stays a multiple of g of at most P 2^(s-1) g = 2^23 g, held exactly by a float (for K = 32,
     * b = 3: P = 32, s = 19): hi + lo is the exact sum, which the sorted double sum of
     * the reference also is (it is a multiple of g below 2^53 g). Exact sums do not depend on the
     * order, nor does the sign of an exact zero (-0.0 only when all terms are -0.0), so the result
     * is bit for bit the reference's. Other coordinates (zeros, a wide range of magnitudes) are
     * recomputed by sorting: one at a time, or the whole block with the sorting network when many
     * (then the next few blocks are sorted outright, so data full of zeros costs about what it did
     * before this route existed). The bound on max|v| is max(|rank trim-1|, |rank K-trim|), which the
     * network leaves on wires trim-1 and K-trim, so trimmed outliers do not defeat the check.
     * The check, in words: the kept values of a coordinate span at most about 2^14 (K = 32, b = 3)
     * in magnitude and none is zero; for Gaussian data that holds for over 99% of coordinates.
     */
    private static void runTrimmedBlocks(float[][] columns, SelectionNetwork extremes, SelectionNetwork sorting,
            int trim, float[] out, int block, int fromBlock, int toBlock) {
        int k = columns.length;
        int first = trim;
        int last = k - 1 - trim;
        int count = last - first + 1;
        int p = Integer.highestOneBit(count) == count ? count : Integer.highestOneBit(count) << 1;
        float pow = p;
        float span = Math.scalb(1f, 24 - Integer.numberOfTrailingZeros(p));
        float[][] wires = new float[k][block];
        float[] hi = new float[block];
        float[] lo = new float[block];
        float[] maxAbs = new float[block];
        float[] minAbs = new float[block];
        double[] sum = new double[block];
        float[] values = new float[k];
        int[] failed = new int[block];
        int sortNext = 0;
        for (int b = fromBlock; b < toBlock; b++) {
            int offset = b * block;
            int len = Math.min(block, out.length - offset);
            for (int i = 0; i < k; i++) {
                System.arraycopy(columns[i], offset, wires[i], 0, len);
            }
            if (sortNext > 0) {
                // the last try failed for many coordinates (data with zeros or wide ranges): sort a while
                sortNext--;
                sorting.apply(wires, len);
                meanOfWires(wires, first, last, sum, out, offset, len);
                continue;
            }
            extremes.apply(wires, len);
            float[] w0 = wires[first];
            for (int t = 0; t < len; t++) {
                float v = w0[t];
                hi[t] = v;
                lo[t] = 0f;
                minAbs[t] = Math.abs(v);
            }
            int r = first + 1;
            for (; r + 1 <= last; r += 2) {
                addTwo(wires[r], wires[r + 1], hi, lo, minAbs, len);
            }
            for (; r <= last; r++) {
                addOne(wires[r], hi, lo, minAbs, len);
            }
            int nFailed = 0;
            if (trim == 0) {
                maxAbsOfWires(wires, maxAbs, len);
            } else {
                // the kept values lie between rank trim-1 and rank k-trim, which the network put on these wires
                float[] below = wires[first - 1];
                float[] above = wires[last + 1];
                for (int t = 0; t < len; t++) {
                    maxAbs[t] = Math.max(Math.abs(below[t]), Math.abs(above[t]));
                }
            }
            for (int t = 0; t < len; t++) {
                if (maxAbs[t] * pow < minAbs[t] * span) {
                    float l = lo[t];
                    double exact = l == 0f ? (double) hi[t] : (double) hi[t] + (double) l;
                    out[offset + t] = (float) (exact / count);
                } else {
                    failed[nFailed++] = t;
                }
            }
            if (nFailed > len / 16) {
                sortNext = SORTED_BLOCKS_AFTER_FAILURE;
                for (int i = 0; i < k; i++) {
                    System.arraycopy(columns[i], offset, wires[i], 0, len);
                }
                sorting.apply(wires, len);
                meanOfWires(wires, first, last, sum, out, offset, len);
            } else {
                for (int f = 0; f < nFailed; f++) {
                    int j = offset + failed[f];
                    for (int i = 0; i < k; i++) {
                        values[i] = columns[i][j];
                    }
                    java.util.Arrays.sort(values);
                    double s = values[first];
                    for (int q = first + 1; q <= last; q++) {
                        s += values[q];
                    }
                    out[j] = (float) (s / count);
                }
            }
        }
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

    private static void maxAbsOfWires(float[][] wires, float[] maxAbs, int len) {
        java.util.Arrays.fill(maxAbs, 0, len, 0f);
        for (float[] w : wires) {
            for (int t = 0; t < len; t++) {
                maxAbs[t] = Math.max(maxAbs[t], Math.abs(w[t]));
            }
        }
    }

    private static void addOne(float[] w, float[] hi, float[] lo, float[] minAbs, int len) {
        for (int t = 0; t < len; t++) {
            float v = w[t];
            float h = hi[t];
            float s = h + v;
            float bv = s - h;
            float e = (h - (s - bv)) + (v - bv);
            hi[t] = s;
            lo[t] += e;
            minAbs[t] = Math.min(minAbs[t], Math.abs(v));
        }
    }

    /** {@link #addOne} for two wires in turn, with one pass over the accumulators. */
    private static void addTwo(float[] w1, float[] w2, float[] hi, float[] lo, float[] minAbs, int len) {
        for (int t = 0; t < len; t++) {
            float h = hi[t];
            float v1 = w1[t];
            float v2 = w2[t];
            float s1 = h + v1;
            float b1 = s1 - h;
            float e1 = (h - (s1 - b1)) + (v1 - b1);
            float s2 = s1 + v2;
            float b2 = s2 - s1;
            float e2 = (s1 - (s2 - b2)) + (v2 - b2);
            hi[t] = s2;
            lo[t] = (lo[t] + e1) + e2;
            minAbs[t] = Math.min(minAbs[t], Math.min(Math.abs(v1), Math.abs(v2)));
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
