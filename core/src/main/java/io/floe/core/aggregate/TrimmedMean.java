package io.floe.core.aggregate;

import io.floe.core.kernel.CoordinateKernels;
import java.util.List;

/**
 * Coordinate-wise trimmed mean: for each parameter, drop the b largest and the b smallest of the
 * K values and average the remaining K - 2b, with {@code b = floor(beta * K)}.
 *
 * <p>Yin, Chen, Ramchandran, Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML 2018, Definition 2 (trimmed mean with beta in [0, 1/2)) and Option
 * III of Algorithm 1; robust when fewer than beta * K updates are Byzantine. beta = 0 is the
 * unweighted mean.
 *
 * <p>Unweighted, like the median: every update is reported with weight 1/K (its nominal share;
 * which updates survive trimming differs from coordinate to coordinate). Applied tensor by
 * tensor with {@link CoordinateKernels#trimmedMean}.
 */
public final class TrimmedMean implements AggregationRule {
    public static final String NAME = "trimmed-mean";

    private final double beta;

    /** @throws IllegalArgumentException unless {@code 0 <= beta < 0.5} */
    public TrimmedMean(double beta) {
        if (!(beta >= 0 && beta < 0.5)) {
            throw new IllegalArgumentException("trimmed-mean: trimFraction beta must be in [0, 0.5), was " + beta);
        }
        this.beta = beta;
    }

    public double beta() {
        return beta;
    }

    /** b = floor(beta * K), with beta read as the decimal it was written as (0.29 of 100 trims 29). */
    public int trimmedPerSide(int k) {
        return (int) DecimalProduct.floor(beta, k);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AggregationResult aggregate(List<ClientUpdate> updates) {
        SortedRound round = SortedRound.of(updates, NAME);
        int k = round.size();
        int b = trimmedPerSide(k);
        if (k - 2 * b < 1) {
            throw new IllegalArgumentException("trimmed-mean: trimming b = floor(" + beta + " * " + k + ") = " + b
                    + " updates at each end of " + k + " leaves none; need K - 2b >= 1");
        }
        return new AggregationResult(round.coordinateWise((columns, out) -> CoordinateKernels.trimmedMean(columns, b, out)),
                round.equalWeights());
    }
}
