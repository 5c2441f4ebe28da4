package io.floe.core.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-Krum: the m updates with the lowest {@link KrumScores Krum scores}, combined by
 * {@link FederatedAveraging} (weights n_i over the selected updates' examples).
 *
 * <p>Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017, Section 5 ("Multi-Krum ... selects the m vectors
 * which score the best, and outputs their average"); the paper averages uniformly, this rule
 * weights by examples as FedAvg does among clients already judged honest (as Flower's Krum
 * strategy does). m = 0 means K - f; m = 1 is {@link Krum}. Needs 2f + 2 < K. Score ties go to
 * the smaller updateId. Updates not selected get weight 0.
 */
public final class MultiKrum implements AggregationRule {
    public static final String NAME = "multi-krum";

    private final int byzantine;
    private final int selection;

    /**
     * @param byzantine f, the number of clients assumed Byzantine
     * @param selection m, the number of updates averaged; 0 means K - f
     */
    public MultiKrum(int byzantine, int selection) {
        if (selection < 0) {
            throw new IllegalArgumentException("multi-krum: multiKrumSelection m must be >= 0 (0 means K - f), was " + selection);
        }
        this.byzantine = KrumScores.checkedByzantine(NAME, byzantine);
        this.selection = selection;
    }

    public int byzantine() {
        return byzantine;
    }

    public int selection() {
        return selection;
    }

    /** m for a round of K updates: the configured m, or K - f when it is 0. */
    public int selectedOf(int k) {
        return selection == 0 ? k - byzantine : selection;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @throws IllegalArgumentException when K <= 2f + 2 or m > K */
    @Override
    public AggregationResult aggregate(List<ClientUpdate> updates) {
        SortedRound round = SortedRound.of(updates, NAME);
        int k = round.size();
        KrumScores.requireEnoughUpdates(NAME, k, byzantine);
        int m = selectedOf(k);
        if (m > k) {
            throw new IllegalArgumentException("multi-krum: multiKrumSelection m = " + m + " exceeds the " + k
                    + " updates of the round");
        }
        Integer[] ranking = KrumScores.ranking(KrumScores.of(KrumScores.squaredDistances(round), byzantine));
        boolean[] chosen = new boolean[k];
        List<ClientUpdate> selected = new ArrayList<>(m);
        for (int r = 0; r < m; r++) {
            chosen[ranking[r]] = true;
        }
        for (int i = 0; i < k; i++) {
            if (chosen[i]) {
                selected.add(round.get(i));
            }
        }
        AggregationResult avg = new FederatedAveraging().aggregate(selected);
        Map<String, Double> weights = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            String id = round.get(i).updateId();
            weights.put(id, chosen[i] ? avg.weights().get(id) : 0.0);
        }
        return new AggregationResult(avg.delta(), weights);
    }
}
