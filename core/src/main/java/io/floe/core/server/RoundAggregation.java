package io.floe.core.server;

import io.floe.core.aggregate.AggregationResult;
import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.CoordinateWiseMedian;
import io.floe.core.aggregate.ExampleCountCap;
import io.floe.core.aggregate.FederatedAveraging;
import io.floe.core.aggregate.NormClipping;
import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.core.anomaly.AnomalyScorer;
import io.floe.core.anomaly.Decision;
import io.floe.core.anomaly.NormScores;
import io.floe.core.anomaly.UpdateScores;
import io.floe.core.privacy.CentralDp;
import io.floe.core.privacy.DpFedAvg;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.settings.RobustnessSettings;
import io.floe.core.tensor.ModelWeights;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server step over one round's accepted updates, in this order:
 * <ol>
 *   <li>cap self-reported example counts (if configured);
 *   <li>score every update (norm robust z, cosine to the median, and under the Krum rules the
 *       Krum score) on the raw deltas, so clipping cannot hide a boosted update; under FedAvg with
 *       a policy that judges no cosine, the norms come from the fold itself ({@link #scoresFromTheFold});
 *   <li>apply the anomaly policy: flag, down-weight or reject the suspicious ones;
 *   <li>clip the survivors' norms (if configured);
 *   <li>run the rule. A rule that cannot run on the survivors (Krum needs {@code K > 2f + 2})
 *       falls back to the coordinate-wise median, and the outcome says so.
 * </ol>
 * When every update is rejected the delta is zero: the round keeps the previous global model
 * (as Flower does for a failed round) and the next version is published so trainers move on.
 */
public final class RoundAggregation {
    private RoundAggregation() {
    }

    /** One update's fate in the round. */
    public record UpdateOutcome(UpdateScores scores, Decision decision, String reason, double clipFactor, double weight) {
    }

    /**
     * @param delta the aggregated delta to add to the global model
     * @param ruleApplied the rule that produced it
     * @param outcomes per update, in updateId order
     * @param note what was unusual (a fallback, an empty round), or empty
     */
    public record Outcome(ModelWeights delta, String ruleApplied, List<UpdateOutcome> outcomes, String note,
            DpFedAvg.Result dp) {
        public List<UpdateOutcome> rejected() {
            return outcomes.stream().filter(o -> o.decision() == Decision.REJECT).toList();
        }
    }

    /** The plain server step of {@code settings}' robustness group over {@code accepted} (any order). */
    public static Outcome run(List<ClientUpdate> accepted, ModelWeights layout, AggregationSettings settings) {
        RobustnessSettings robust = settings.robustness();
        List<ClientUpdate> updates = new ArrayList<>(accepted);
        updates.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        if (robust.exampleCap().isPresent()) {
            ExampleCountCap.Capped capped = robust.exampleCap().get().apply(updates);
            updates = new ArrayList<>(capped.updates());
        }
        AnomalyPolicy policy = robust.anomalyPolicy();
        // FedAvg under a policy that judges no cosine: the norm scores come from the fold itself (issue 13)
        AggregationResult folded = null;
        List<UpdateScores> scores;
        if (scoresFromTheFold(robust) && !updates.isEmpty()) {
            double[] squares = new double[updates.size()];
            folded = ((FederatedAveraging) robust.rule()).aggregate(updates, squares);
            List<NormScores.Norm> norms = new ArrayList<>(updates.size());
            for (int i = 0; i < updates.size(); i++) {
                ClientUpdate u = updates.get(i);
                norms.add(new NormScores.Norm(u.updateId(), u.clientId(), u.localSteps(), squares[i]));
            }
            scores = NormScores.of(norms);
        } else {
            // the Krum score only where a Krum rule runs: no policy judges by it (issue 13)
            scores = AnomalyScorer.score(updates, robust.parameters().byzantineClients(), krumFamily(robust.rule()));
        }
        Map<String, AnomalyPolicy.Verdict> verdicts = new HashMap<>();
        List<ClientUpdate> survivors = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            ClientUpdate u = updates.get(i);
            AnomalyPolicy.Verdict v = policy.judge(scores.get(i));
            verdicts.put(u.updateId(), v);
            switch (v.decision()) {
                case REJECT -> { }
                case DOWNWEIGHT -> survivors.add(new ClientUpdate(u.updateId(), u.clientId(), u.baseVersion(),
                        Math.max(1L, Math.round(u.numExamples() * policy.downweightFactor())), u.localSteps(), u.delta(), u.metrics()));
                default -> survivors.add(u);
            }
        }
        Map<String, Double> clipFactors = Map.of();
        if (robust.clipping().isPresent() && !survivors.isEmpty()) {
            NormClipping.Clipped clipped = robust.clipping().get().clip(survivors);
            survivors = new ArrayList<>(clipped.updates());
            clipFactors = clipped.factors();
        }
        ModelWeights delta;
        String ruleApplied = robust.rule().name();
        String note = "";
        Map<String, Double> weights = Map.of();
        if (survivors.isEmpty()) {
            delta = layout.scaled(0f);
            ruleApplied = "none";
            note = "every update was rejected; the global model is unchanged";
        } else {
            AggregationResult result;
            try {
                // the fold already made stands when every update kept its weight; else FedAvg again on the survivors
                result = folded != null && survivors.size() == updates.size() && verdicts.values().stream()
                        .noneMatch(v -> v.decision() == Decision.DOWNWEIGHT) ? folded : robust.rule().aggregate(survivors);
            } catch (IllegalArgumentException e) {
                result = new CoordinateWiseMedian().aggregate(survivors);
                note = robust.rule().name() + " could not run on " + survivors.size() + " updates (" + e.getMessage()
                        + "); fell back to the coordinate-wise median";
                ruleApplied = result == null ? ruleApplied : new CoordinateWiseMedian().name();
            }
            delta = result.delta();
            weights = result.weights();
        }
        List<UpdateOutcome> outcomes = new ArrayList<>(scores.size());
        for (UpdateScores s : scores) {
            AnomalyPolicy.Verdict v = verdicts.get(s.updateId());
            outcomes.add(new UpdateOutcome(s, v.decision(), v.reason(), clipFactors.getOrDefault(s.updateId(), 1.0),
                    weights.getOrDefault(s.updateId(), 0.0)));
        }
        return new Outcome(delta, ruleApplied, outcomes, note, null);
    }

    /**
     * FedAvg without clipping under a policy that judges no cosine ({@code cosineThreshold} -1): its
     * scores are the norms alone, summed in the fold's own pass ({@code FederatedAveraging.aggregate(
     * updates, squares)}), with no coordinate-wise median and no second pass over the deltas. The
     * cosine is NaN in the report, as in a chunked FedAvg round's.
     */
    static boolean scoresFromTheFold(RobustnessSettings robust) {
        return robust.rule() instanceof FederatedAveraging && robust.clipping().isEmpty() && !robust.anomalyPolicy().judgesCosine();
    }

    /** Krum, Multi-Krum and Bulyan: the rules whose reports carry the Krum score. */
    static boolean krumFamily(io.floe.core.aggregate.AggregationRule rule) {
        return rule instanceof io.floe.core.aggregate.Krum || rule instanceof io.floe.core.aggregate.MultiKrum
                || rule instanceof io.floe.core.aggregate.Bulyan;
    }

    /**
     * The server step under central DP (DP-FedAvg): no anomaly scores (they would publish
     * un-noised facts about single updates), every update clipped to {@code clipNorm}, noise
     * seeded by {@code seed}, fixed denominator.
     */
    public static Outcome runPrivately(List<ClientUpdate> accepted, ModelWeights layout, CentralDp dp, double clipNorm, long seed) {
        DpFedAvg.Result r = DpFedAvg.aggregate(accepted, layout, dp, clipNorm, seed);
        List<UpdateOutcome> outcomes = new ArrayList<>();
        List<ClientUpdate> sorted = new ArrayList<>(accepted);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        for (ClientUpdate u : sorted) {
            outcomes.add(new UpdateOutcome(new UpdateScores(u.updateId(), u.clientId(), Double.NaN, Double.NaN, Double.NaN, Double.NaN),
                    Decision.ACCEPT, "", r.clipFactors().get(u.updateId()), 1.0 / dp.denominator()));
        }
        return new Outcome(r.delta(), "dp-fedavg", outcomes, "", r);
    }

    /** Outcomes by updateId, for report builders. */
    public static Map<String, UpdateOutcome> byUpdateId(Outcome o) {
        Map<String, UpdateOutcome> m = new LinkedHashMap<>();
        o.outcomes().forEach(u -> m.put(u.scores().updateId(), u));
        return m;
    }
}
