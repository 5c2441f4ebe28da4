package io.floe.core.aggregate;

import io.floe.core.kernel.PairwiseDistances;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Krum scores: for update i, the sum of the squared distances to its K - f - 2 nearest
 * neighbours among the other updates, over all tensors of the delta taken as one vector. A low
 * score means the update sits inside a dense cluster; an outlier scores high.
 *
 * <p>Blanchard, El Mhamdi, Guerraoui, Stainer, "Machine Learning with Adversaries: Byzantine
 * Tolerant Gradient Descent", NeurIPS 2017, Section 4: {@code s(i) = Σ_{i→j} ||V_i - V_j||²},
 * where {@code i→j} ranges over the n - f - 2 closest vectors to V_i.
 *
 * <p>Used by {@link Krum} and {@link MultiKrum}, and on its own as an anomaly score.
 */
public final class KrumScores {
    private KrumScores() {
    }

    /**
     * Scores in the order of {@code squaredDistances}' rows. Each score adds the smallest
     * distances in ascending order, in double.
     *
     * @throws IllegalArgumentException when K - f - 2 < 1 (no neighbour to score against)
     */
    public static double[] of(double[][] squaredDistances, int byzantine) {
        int k = squaredDistances.length;
        int neighbours = k - byzantine - 2;
        if (byzantine < 0) {
            throw new IllegalArgumentException("Krum score: f must be >= 0, was " + byzantine);
        }
        if (neighbours < 1) {
            throw new IllegalArgumentException("Krum score: K - f - 2 must be >= 1, but K = " + k + " and f = " + byzantine);
        }
        double[] scores = new double[k];
        double[] others = new double[k - 1];
        for (int i = 0; i < k; i++) {
            int n = 0;
            for (int j = 0; j < k; j++) {
                if (j != i) {
                    others[n++] = squaredDistances[i][j];
                }
            }
            Arrays.sort(others);
            double s = 0;
            for (int r = 0; r < neighbours; r++) {
                s += others[r];
            }
            scores[i] = s;
        }
        return scores;
    }

    /** Score of each update by updateId, for a report. */
    public static Map<String, Double> byUpdateId(List<ClientUpdate> updates, int byzantine) {
        SortedRound round = SortedRound.of(updates, "Krum score");
        double[] s = of(squaredDistances(round), byzantine);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < s.length; i++) {
            out.put(round.get(i).updateId(), s[i]);
        }
        return out;
    }

    /** Squared L2 distances between the deltas, all tensors concatenated: per-tensor matrices added in tensor order. */
    static double[][] squaredDistances(SortedRound round) {
        int k = round.size();
        double[][] total = new double[k][k];
        for (int t = 0; t < round.tensorCount(); t++) {
            double[][] d = PairwiseDistances.squaredL2(round.columns(t));
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    total[p][q] += d[p][q];
                }
            }
        }
        return total;
    }

    /** {@code byzantine} when it is a valid f (>= 0); else an exception naming {@code rule}. */
    static int checkedByzantine(String rule, int byzantine) {
        if (byzantine < 0) {
            throw new IllegalArgumentException(rule + ": byzantineClients f must be >= 0, was " + byzantine);
        }
        return byzantine;
    }

    /** Blanchard et al.'s condition n > 2f + 2, with a message naming the rule. */
    static void requireEnoughUpdates(String rule, int k, int byzantine) {
        if (k <= 2 * byzantine + 2) {
            throw new IllegalArgumentException(rule + " with f = " + byzantine + " Byzantine clients needs more than 2f + 2 = "
                    + (2 * byzantine + 2) + " updates, got " + k);
        }
    }

    /** Indices 0..k-1 ordered by score, ties by index (that is, by updateId). */
    static Integer[] ranking(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Double.compare(scores[a], scores[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return idx;
    }
}
