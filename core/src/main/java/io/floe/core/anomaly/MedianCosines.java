package io.floe.core.anomaly;

import io.floe.core.kernel.CoordinateKernels;
import io.floe.core.kernel.SquaresAndDots;
import java.util.List;

/**
 * The cosine score of a chunked round from partial sums (issue 13, item 2): the cosine of each
 * update to the round's coordinate-wise median (Yin et al. 2018's robust centre, as
 * {@link AnomalyScorer} defines it) without any update held whole. The median is separable by
 * coordinate, and a dot product and a squared norm are sums over coordinates, so each chunk gives
 * its {@link Share} (every member's dot with the chunk's median, and the median's squared norm),
 * and the shares of all chunks, added in chunk order (the same bits at any parallelism), give
 * {@code cos_i = <delta_i, m> / (||delta_i|| ||m||)}; 0 when either norm is 0, as in
 * {@link AnomalyScorer}. The chunk's median is the whole update's median on those coordinates,
 * bit for bit; the sums differ from a single pass over the whole vector only by the order of
 * their additions (within 1e-12 relative, {@code MedianCosinesTest}).
 *
 * <p>A folder holds its members' chunks only under a coordinate-wise rule (median, trimmed mean),
 * so only those chunked rounds get the cosine; under FedAvg the chunks are folded as they land.
 */
public final class MedianCosines {
    private MedianCosines() {
    }

    /**
     * One chunk's share.
     *
     * @param dots each member's dot product with the chunk's coordinate-wise median, in the members' order
     * @param medianSquares the chunk median's sum of squares
     */
    public record Share(double[] dots, double medianSquares) {
    }

    /** The share of a chunk whose members hold {@code members[i]} (all of one length), on the calling thread. */
    public static Share of(float[][] members) {
        if (members.length == 0) {
            return new Share(new double[0], 0);
        }
        float[] median = new float[members[0].length];
        CoordinateKernels.median(members, median, 1);
        double[] dots = new double[members.length];
        for (int i = 0; i < members.length; i++) {
            dots[i] = SquaresAndDots.of(members[i], median)[1];
        }
        return new Share(dots, SquaresAndDots.of(median, median)[0]);
    }

    /**
     * The members' cosines from every chunk's share, in chunk order.
     *
     * @param norms each member's L2 norm (the round's norm scores), in the members' order
     */
    public static double[] cosines(List<Share> inChunkOrder, double[] norms) {
        double[] dots = new double[norms.length];
        double medianSquares = 0;
        for (Share s : inChunkOrder) {
            if (s.dots().length != norms.length) {
                throw new IllegalArgumentException("a chunk's share has " + s.dots().length + " members, the round " + norms.length);
            }
            for (int i = 0; i < dots.length; i++) {
                dots[i] += s.dots()[i];
            }
            medianSquares += s.medianSquares();
        }
        double medianNorm = Math.sqrt(medianSquares);
        double[] out = new double[norms.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = AnomalyScorer.cosine(dots[i], norms[i], medianNorm);
        }
        return out;
    }
}
