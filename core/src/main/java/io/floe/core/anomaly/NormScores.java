package io.floe.core.anomaly;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The anomaly scores a round gets from its updates' norms alone: what the chunked path can compute
 * without holding any update whole. Routing adds up each chunk's squared values, the coordinator
 * adds the chunks of an update (in chunk order, so the sum is the same bits at any parallelism), and
 * this gives every update its L2 norm, the robust z-score of its norm per local step and its ratio
 * to the round's median norm per step, exactly as {@link AnomalyScorer} defines them. The cosine to
 * the coordinate-wise median and the Krum score need the updates themselves (sums over pairs of
 * chunks) and are NaN here. With them, {@link AnomalyPolicy#judge} flags a boosted or vanishing
 * norm and rejects an absurd one (over {@code maxNormRatio} times the median).
 */
public final class NormScores {
    private NormScores() {
    }

    /** One update's norm: its ids, its local steps and the squared L2 norm of its delta. */
    public record Norm(String updateId, String clientId, long localSteps, double squaredNorm) {
    }

    /** Scores of {@code norms}, in updateId order (then clientId), as {@link AnomalyScorer#score} orders them. */
    public static List<UpdateScores> of(List<Norm> norms) {
        List<Norm> sorted = new ArrayList<>(norms);
        sorted.sort(Comparator.comparing(Norm::updateId).thenComparing(Norm::clientId));
        int k = sorted.size();
        if (k == 0) {
            return List.of();
        }
        double[] l2 = new double[k];
        double[] perStep = new double[k];
        for (int i = 0; i < k; i++) {
            l2[i] = Math.sqrt(sorted.get(i).squaredNorm());
            perStep[i] = l2[i] / Math.max(1, sorted.get(i).localSteps());
        }
        double[] z = AnomalyScorer.robustZ(perStep);
        double medianPerStep = AnomalyScorer.median(perStep);
        List<UpdateScores> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            Norm n = sorted.get(i);
            out.add(new UpdateScores(n.updateId(), n.clientId(), l2[i], z[i], Double.NaN, Double.NaN,
                    medianPerStep > 0 ? perStep[i] / medianPerStep : Double.NaN));
        }
        return out;
    }
}
