package io.floe.core.aggregate;

import io.floe.core.kernel.CoordinateKernels;
import java.util.List;

/**
 * Coordinate-wise median: each parameter of the delta is the median of that parameter over the
 * round's K updates (for even K, the mean of the two middle values, in double).
 *
 * <p>Yin, Chen, Ramchandran, Bartlett, "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates", ICML 2018, Definition 1 (coordinate-wise median) and Option II of
 * Algorithm 1. Tolerates fewer than K/2 arbitrary updates per coordinate.
 *
 * <p>Unweighted: numExamples does not enter, so a client cannot buy influence by claiming many
 * examples; every update is reported with weight 1/K. Applied tensor by tensor with
 * {@link CoordinateKernels#median}.
 */
public final class CoordinateWiseMedian implements AggregationRule {
    public static final String NAME = "median";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AggregationResult aggregate(List<ClientUpdate> updates) {
        SortedRound round = SortedRound.of(updates, NAME);
        return new AggregationResult(round.coordinateWise(CoordinateKernels::median), round.equalWeights());
    }
}
