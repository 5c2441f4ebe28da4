package io.floe.core.aggregate;

import java.util.Arrays;
import java.util.List;

/**
 * The selection step of Krum, Multi-Krum and Bulyan from a round's summed squared distances alone,
 * for a chunked model whose updates are never held whole (issue 13, item 2): which members the
 * chunks are to combine, with which fold weights, and the weight each member is reported with.
 * The decisions are those of {@link Krum}, {@link MultiKrum} and {@link Bulyan} on the same matrix,
 * with the same tie rules (a score tie goes to the smaller updateId); the chunks then combine the
 * selection as those rules do:
 * <ul>
 *   <li>Krum: the member with the lowest Krum score, fold weight 1, reported 1 (others 0);
 *   <li>Multi-Krum: the m lowest scores, averaged by their examples n_i (fold weights n_i,
 *       reported n_i / sum), as {@link MultiKrum} does;
 *   <li>Bulyan: the θ = K - 2f members Krum chooses one after another, then per coordinate the
 *       mean of the β = θ - 2f values closest to the median ({@code beta}), reported 1/θ.
 * </ul>
 * Blanchard et al., NeurIPS 2017 (Krum, Multi-Krum); El Mhamdi et al., ICML 2018 (Bulyan).
 */
public final class KrumSelection {
    private KrumSelection() {
    }

    /**
     * @param rule the rule's name (krum, multi-krum, bulyan)
     * @param chosen indices of the selected members (into the round's updateId order), ascending
     * @param foldWeights each chosen member's weight in the fold (Krum, Multi-Krum); all 1 for Bulyan
     * @param reported each member's reported weight, in the round's order (0 when not chosen)
     * @param beta Bulyan's β (the values per coordinate averaged around the median); 0 otherwise
     */
    public record Selection(String rule, int[] chosen, long[] foldWeights, double[] reported, int beta) {
        /** The sum of the fold weights: the fold's divisor. */
        public long totalWeight() {
            return Arrays.stream(foldWeights).sum();
        }
    }

    /** Whether {@code rule} selects by Krum scores (Krum, Multi-Krum, Bulyan). */
    public static boolean handles(AggregationRule rule) {
        return rule instanceof Krum || rule instanceof MultiKrum || rule instanceof Bulyan;
    }

    /** Whether the rule named {@code name} selects by Krum scores. */
    public static boolean handles(String name) {
        return Krum.NAME.equals(name) || MultiKrum.NAME.equals(name) || Bulyan.NAME.equals(name);
    }

    /**
     * Why {@code rule} cannot run on {@code k} updates (Krum and Multi-Krum need K > 2f + 2 and m <=
     * K, Bulyan K >= 4f + 3), as the whole-update rule would say it; null when it can.
     */
    public static String problem(AggregationRule rule, int k) {
        try {
            if (rule instanceof Krum krum) {
                KrumScores.requireEnoughUpdates(Krum.NAME, k, krum.byzantine());
            } else if (rule instanceof MultiKrum multi) {
                KrumScores.requireEnoughUpdates(MultiKrum.NAME, k, multi.byzantine());
                if (multi.selectedOf(k) > k) {
                    return "multi-krum: multiKrumSelection m = " + multi.selectedOf(k) + " exceeds the " + k + " updates of the round";
                }
            } else if (rule instanceof Bulyan bulyan) {
                Bulyan.requireEnoughUpdates(k, bulyan.byzantine());
            } else {
                return rule.name() + " does not select by Krum scores";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * The selection over a round whose members, in updateId order, have {@code examples} and the
     * squared distances {@code d2}.
     *
     * @throws IllegalArgumentException when {@link #problem} is not null
     */
    public static Selection select(AggregationRule rule, long[] examples, double[][] d2) {
        int k = d2.length;
        if (examples.length != k) {
            throw new IllegalArgumentException("a round of " + k + " distances' rows needs " + k + " example counts, got " + examples.length);
        }
        String problem = problem(rule, k);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        double[] reported = new double[k];
        if (rule instanceof Bulyan bulyan) {
            int theta = k - 2 * bulyan.byzantine();
            int[] chosen = bulyan.chooseByKrum(d2, theta).stream().mapToInt(Integer::intValue).sorted().toArray();
            long[] ones = new long[chosen.length];
            Arrays.fill(ones, 1L);
            for (int c : chosen) {
                reported[c] = 1.0 / theta;
            }
            return new Selection(Bulyan.NAME, chosen, ones, reported, theta - 2 * bulyan.byzantine());
        }
        int byzantine = rule instanceof Krum krum ? krum.byzantine() : ((MultiKrum) rule).byzantine();
        int m = rule instanceof MultiKrum multi ? multi.selectedOf(k) : 1;
        Integer[] ranking = KrumScores.ranking(KrumScores.of(d2, byzantine));
        int[] chosen = Arrays.stream(ranking, 0, m).mapToInt(Integer::intValue).sorted().toArray();
        long[] fold = new long[m];
        long total = 0;
        for (int i = 0; i < m; i++) {
            fold[i] = rule instanceof Krum ? 1 : examples[chosen[i]];
            total += fold[i];
        }
        for (int i = 0; i < m; i++) {
            reported[chosen[i]] = fold[i] / (double) total;
        }
        return new Selection(rule.name(), chosen, fold, reported, 0);
    }

    /** The members' ids at {@code selection.chosen()}. */
    public static String[] ids(Selection selection, List<String> members) {
        return Arrays.stream(selection.chosen()).mapToObj(members::get).toArray(String[]::new);
    }
}
