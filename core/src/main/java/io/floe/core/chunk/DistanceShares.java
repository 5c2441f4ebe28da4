package io.floe.core.chunk;

import io.floe.core.kernel.PairwiseDistances;
import java.util.List;

/**
 * Krum's input on a chunked model (issue 13, item 2): the members' pairwise squared L2 distances
 * are sums over coordinates, so each chunk's folder computes them over its own coordinates
 * ({@link #of}, the upper triangle {@code p < q}) and the coordinator adds the shares of all chunks
 * in chunk order ({@link #sum}): the same bits at any parallelism. The whole-vector rule
 * ({@code KrumScores}) adds per-tensor matrices in tensor order instead; the two differ only in the
 * order of their additions, so they select the same updates except on a near-exact tie
 * ({@code KrumSelectionTest}).
 *
 * <p>Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017, Section 4.
 */
public final class DistanceShares {
    private DistanceShares() {
    }

    /** This chunk's share: {@code ||x_p - x_q||^2} over its coordinates for p < q, row by row (K(K-1)/2 values), on the calling thread. */
    public static double[] of(float[][] members) {
        int k = members.length;
        if (k < 2) {
            return new double[0];
        }
        double[][] full = PairwiseDistances.squaredL2(members, 1); // the job runs many chunks in parallel already
        double[] upper = new double[k * (k - 1) / 2];
        int at = 0;
        for (int p = 0; p < k; p++) {
            for (int q = p + 1; q < k; q++) {
                upper[at++] = full[p][q];
            }
        }
        return upper;
    }

    /**
     * The K x K matrix (symmetric, zero diagonal) of the shares of every chunk, added in the order given.
     *
     * @throws IllegalArgumentException when a share is not K(K-1)/2 values long
     */
    public static double[][] sum(List<double[]> inChunkOrder, int k) {
        int pairs = k * (k - 1) / 2;
        double[] upper = new double[pairs];
        for (double[] share : inChunkOrder) {
            if (share.length != pairs) {
                throw new IllegalArgumentException("a chunk's distance share has " + share.length + " values; " + k
                        + " members have " + pairs + " pairs");
            }
            for (int i = 0; i < pairs; i++) {
                upper[i] += share[i];
            }
        }
        double[][] out = new double[k][k];
        int at = 0;
        for (int p = 0; p < k; p++) {
            for (int q = p + 1; q < k; q++) {
                out[p][q] = upper[at];
                out[q][p] = upper[at++];
            }
        }
        return out;
    }
}
