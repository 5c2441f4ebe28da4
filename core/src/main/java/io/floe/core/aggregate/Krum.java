package io.floe.core.aggregate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Krum: the delta is the single update with the lowest {@link KrumScores Krum score}, the one
 * closest to its K - f - 2 nearest neighbours.
 *
 * <p>Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017, Section 4 (Krum is (α, f)-Byzantine resilient for
 * 2f + 2 < n). Ties go to the smallest updateId. The chosen update gets weight 1, every other 0.
 * Distances are taken over all tensors of the delta as one vector.
 */
public final class Krum implements AggregationRule {
    public static final String NAME = "krum";

    private final int byzantine;

    /** @param byzantine f, the number of clients assumed Byzantine */
    public Krum(int byzantine) {
        this.byzantine = KrumScores.checkedByzantine(NAME, byzantine);
    }

    public int byzantine() {
        return byzantine;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @throws IllegalArgumentException when K <= 2f + 2 */
    @Override
    public AggregationResult aggregate(List<ClientUpdate> updates) {
        SortedRound round = SortedRound.of(updates, NAME);
        KrumScores.requireEnoughUpdates(NAME, round.size(), byzantine);
        double[] scores = KrumScores.of(KrumScores.squaredDistances(round), byzantine);
        int best = KrumScores.ranking(scores)[0];
        Map<String, Double> weights = new LinkedHashMap<>();
        for (int i = 0; i < round.size(); i++) {
            weights.put(round.get(i).updateId(), i == best ? 1.0 : 0.0);
        }
        return new AggregationResult(round.get(best).delta().copy(), weights);
    }
}
