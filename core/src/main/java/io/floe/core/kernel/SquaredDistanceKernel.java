package io.floe.core.kernel;

/**
 * The blocked kernel behind {@link PairwiseDistances}.
 *
 * <p>Coordinates are taken in chunks; a chunk of every vector is widened to double once (K x
 * chunk doubles, sized for the L2 cache) and then every pair is summed over it with four running
 * sums, as Lucene's scalar {@code VectorUtil} kernels do, so the adds do not wait on each other.
 * Chunks are grouped into at most {@value #SEGMENTS} contiguous segments, each with its own
 * partial matrix; the partials are added in segment order. Chunk and segment boundaries depend
 * on K and the length only, so the split over threads never changes a bit of the result.
 */
final class SquaredDistanceKernel {
    /** Upper bound on the partial sums per pair; also the most threads one call can use. */
    static final int SEGMENTS = 16;
    /** Widened chunk budget: K x chunk doubles should fit a 256 KiB share of the L2 cache. */
    private static final int SCRATCH_DOUBLES = 32768;
    private static final int MIN_CHUNK = 64;
    private static final int MAX_CHUNK = 4096;

    private SquaredDistanceKernel() {
    }

    static int chunkLength(int k) {
        int c = Integer.highestOneBit(Math.max(1, SCRATCH_DOUBLES / k));
        return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, c));
    }

    /** Arguments are checked by the facade. */
    static double[][] squaredL2(float[][] vectors, int maxThreads) {
        int k = vectors.length;
        int d = vectors[0].length;
        double[][] out = new double[k][k];
        if (k == 1 || d == 0) {
            return out;
        }
        int chunk = Math.min(chunkLength(k), d);
        int chunks = (d + chunk - 1) / chunk;
        int segments = Math.min(SEGMENTS, chunks);
        double[][] partial = new double[segments][];
        long pairElements = (long) k * (k - 1) / 2 * d;
        int tasks = KernelThreads.taskCount(pairElements, segments, maxThreads);
        KernelThreads.forEachTask(tasks, task -> {
            int to = KernelThreads.rangeStart(segments, tasks, task + 1);
            for (int s = KernelThreads.rangeStart(segments, tasks, task); s < to; s++) {
                partial[s] = segment(vectors, chunk, KernelThreads.rangeStart(chunks, segments, s),
                        KernelThreads.rangeStart(chunks, segments, s + 1));
            }
        });
        for (int p = 0; p < k; p++) {
            for (int q = p + 1; q < k; q++) {
                int at = p * k + q;
                double s = partial[0][at];
                for (int g = 1; g < segments; g++) {
                    s += partial[g][at];
                }
                out[p][q] = s;
                out[q][p] = s;
            }
        }
        return out;
    }

    /** Upper-triangle sums (row-major, k x k) over chunks {@code fromChunk..toChunk-1}. */
    private static double[] segment(float[][] vectors, int chunk, int fromChunk, int toChunk) {
        int k = vectors.length;
        int d = vectors[0].length;
        double[][] wide = new double[k][chunk];
        double[] sums = new double[k * k];
        for (int c = fromChunk; c < toChunk; c++) {
            int offset = c * chunk;
            int len = Math.min(chunk, d - offset);
            for (int i = 0; i < k; i++) {
                float[] v = vectors[i];
                double[] w = wide[i];
                for (int t = 0; t < len; t++) {
                    w[t] = v[offset + t];
                }
            }
            for (int p = 0; p < k; p++) {
                for (int q = p + 1; q < k; q++) {
                    sums[p * k + q] += squaredDistance(wide[p], wide[q], len);
                }
            }
        }
        return sums;
    }

    private static double squaredDistance(double[] a, double[] b, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int t = 0;
        for (; t + 3 < len; t += 4) {
            double e0 = a[t] - b[t];
            double e1 = a[t + 1] - b[t + 1];
            double e2 = a[t + 2] - b[t + 2];
            double e3 = a[t + 3] - b[t + 3];
            s0 += e0 * e0;
            s1 += e1 * e1;
            s2 += e2 * e2;
            s3 += e3 * e3;
        }
        for (; t < len; t++) {
            double e = a[t] - b[t];
            s0 += e * e;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
