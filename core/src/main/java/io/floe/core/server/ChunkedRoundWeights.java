package io.floe.core.server;

import io.floe.core.aggregate.KrumSelection;
import io.floe.core.aggregate.TrimmedMean;
import io.floe.core.chunk.CoordinateWiseChunk;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.FedNova;
import io.floe.core.settings.AggregationSettings;
import io.floe.schema.ModelUpdate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a chunked round's close tells every chunk, decided once from its members' headers: the
 * members in updateId order with their weights n_k, n, the scale of the plain server step, the
 * rule (and trimmed mean's b), and the weight each member is reported with.
 * <ul>
 *   <li>FedAvg (and FedProx): {@code w + eta_g S / n}, reported n_k / n (McMahan et al. 2017).
 *   <li>FedNova: each update was folded as x / a_k; the scale is eta_g tau_eff with
 *       tau_eff = sum_k p_k a_k, reported tau_eff p_k / a_k (Wang et al. 2020, eq. (6)-(7)).
 *   <li>Median, trimmed mean: unweighted, reported 1/K; b = floor(beta K) (Yin et al. 2018).
 *   <li>Krum, Multi-Krum, Bulyan: the selection's members and weights ({@link #selected}).
 * </ul>
 */
public record ChunkedRoundWeights(List<ModelUpdate> members, String[] ids, long[] weights, long total, double scale, String rule,
        int trimPerSide, double[] reported) {

    public static ChunkedRoundWeights of(List<ModelUpdate> headers, AggregationSettings settings) {
        return of(headers, settings, settings.robustness().rule().name());
    }

    /**
     * As {@link #of(List, AggregationSettings)} under the coordinate-wise median: the fallback of a
     * Krum rule that cannot run on the round's updates, as the whole-update path falls back.
     */
    public static ChunkedRoundWeights medianFallback(List<ModelUpdate> headers, AggregationSettings settings) {
        return of(headers, settings, io.floe.core.aggregate.CoordinateWiseMedian.NAME);
    }

    /**
     * A Krum-family close ({@link KrumSelection}): the chunks combine the selected members (Krum's
     * one, Multi-Krum's m by their n_i, Bulyan's θ with β in {@code trimPerSide}); every member is
     * reported with the weight the selection gave it, 0 when not selected.
     */
    public static ChunkedRoundWeights selected(List<ModelUpdate> headers, AggregationSettings settings, KrumSelection.Selection selection) {
        List<ModelUpdate> members = new ArrayList<>(headers);
        members.sort(Comparator.comparing(ModelUpdate::getUpdateId));
        String[] ids = java.util.Arrays.stream(selection.chosen()).mapToObj(i -> members.get(i).getUpdateId()).toArray(String[]::new);
        return new ChunkedRoundWeights(List.copyOf(members), ids, selection.foldWeights(), selection.totalWeight(),
                settings.drift().serverLearningRate(), selection.rule(), selection.beta(), selection.reported());
    }

    private static ChunkedRoundWeights of(List<ModelUpdate> headers, AggregationSettings settings, String rule) {
        List<ModelUpdate> members = new ArrayList<>(headers);
        members.sort(Comparator.comparing(ModelUpdate::getUpdateId));
        int k = members.size();
        String[] ids = new String[k];
        long[] weights = new long[k];
        double[] reported = new double[k];
        long total = ChunkedVersions.totalExamples(members);
        double scale = settings.drift().serverLearningRate();
        for (int i = 0; i < k; i++) {
            ids[i] = members.get(i).getUpdateId();
            weights[i] = members.get(i).getNumExamples();
            reported[i] = weights[i] / (double) total;
        }
        if (settings.drift().algorithm().kind() == DriftAlgorithm.Kind.FEDNOVA && k > 0) {
            double rho = settings.drift().algorithm().localMomentum();
            double tauEff = 0;
            for (int i = 0; i < k; i++) {
                tauEff += reported[i] * FedNova.normalizingFactor(members.get(i).getLocalSteps(), rho);
            }
            for (int i = 0; i < k; i++) {
                reported[i] = tauEff * reported[i] / FedNova.normalizingFactor(members.get(i).getLocalSteps(), rho);
            }
            scale *= tauEff;
        }
        int trimPerSide = 0;
        if (CoordinateWiseChunk.handles(rule)) {
            java.util.Arrays.fill(reported, k == 0 ? 0 : 1.0 / k);
            trimPerSide = settings.robustness().rule() instanceof TrimmedMean t ? t.trimmedPerSide(k) : 0;
        }
        return new ChunkedRoundWeights(List.copyOf(members), ids, weights, total, scale, rule, trimPerSide, reported);
    }

    /**
     * DP-FedAvg's close (McMahan et al. 2018, uniform weights): every member folded with weight 1,
     * the sum (clipped, plus noise) divided by the fixed {@code denominator} (clientsPerRound),
     * each member reported with 1 / denominator; the plain step's eta_g as the scale.
     */
    public static ChunkedRoundWeights dpFedAvg(List<ModelUpdate> headers, AggregationSettings settings, int denominator) {
        List<ModelUpdate> members = new ArrayList<>(headers);
        members.sort(Comparator.comparing(ModelUpdate::getUpdateId));
        String[] ids = members.stream().map(ModelUpdate::getUpdateId).toArray(String[]::new);
        long[] weights = new long[ids.length];
        java.util.Arrays.fill(weights, 1L);
        double[] reported = new double[ids.length];
        java.util.Arrays.fill(reported, 1.0 / denominator);
        return new ChunkedRoundWeights(List.copyOf(members), ids, weights, denominator, settings.drift().serverLearningRate(),
                "fedavg", 0, reported);
    }

    /** The weight {@code update} (a member) is reported with ({@code reported} is in the members' order). */
    public double reportedWeight(ModelUpdate update) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).getUpdateId().equals(update.getUpdateId())) {
                return reported[i];
            }
        }
        throw new IllegalArgumentException(update.getUpdateId() + " is not a member of this round");
    }
}
