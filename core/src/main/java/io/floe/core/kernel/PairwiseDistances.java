package io.floe.core.kernel;

/**
 * Squared Euclidean distances between every pair of K vectors of the same length, the input of
 * Krum's scores (Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries:
 * Byzantine Tolerant Gradient Descent", NeurIPS 2017).
 *
 * <p>Differences, squares and sums are taken in double. The summation order is fixed by K and
 * the vector length alone (blocks of coordinates, four running sums per block, blocks added in
 * order), so the result is the same bit for bit for any {@code maxThreads}; it differs from a
 * single left-to-right sum ({@link ReferenceKernels#squaredL2}) only in the last bits.
 *
 * <pre>{@code
 * double[][] d2 = PairwiseDistances.squaredL2(new float[][] {delta0, delta1, delta2});
 * }</pre>
 */
public final class PairwiseDistances {
    private PairwiseDistances() {
    }

    /**
     * The K x K matrix of {@code ||v_p - v_q||^2}: symmetric, zero on the diagonal.
     *
     * @throws IllegalArgumentException when there are no vectors, one is null, or lengths differ
     */
    public static double[][] squaredL2(float[][] vectors) {
        return squaredL2(vectors, KernelThreads.defaultMaxThreads());
    }

    /** {@link #squaredL2(float[][])} on at most {@code maxThreads} threads (1: the calling thread only). */
    public static double[][] squaredL2(float[][] vectors, int maxThreads) {
        checkVectors(vectors);
        KernelThreads.checkThreads(maxThreads);
        return SquaredDistanceKernel.squaredL2(vectors, maxThreads);
    }

    static void checkVectors(float[][] vectors) {
        if (vectors == null || vectors.length == 0) {
            throw new IllegalArgumentException("need at least one vector, got none");
        }
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i] == null) {
                throw new IllegalArgumentException("vectors[" + i + "] is null");
            }
            if (vectors[i].length != vectors[0].length) {
                throw new IllegalArgumentException("vectors[" + i + "] has " + vectors[i].length
                        + " values but vectors[0] has " + vectors[0].length + "; all vectors must have the same length");
            }
        }
    }
}
