package io.floe.core.round;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.WeightedMetrics;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.Provenance;
import io.floe.schema.RejectedUpdate;
import io.floe.schema.UpdateScore;
import io.floe.schema.PrivacyLedgerEntry;
import io.floe.core.privacy.CentralDp;
import io.floe.core.privacy.NoiseSeed;
import io.floe.core.privacy.PrivacyLedger;
import io.floe.core.privacy.PrivacySpent;
import io.floe.core.anomaly.Decision;
import io.floe.core.validate.RejectionReason;
import java.util.Map;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a complete round into what the job publishes: global version {@code v+1}
 * ({@code w_{v+1} = w_v + eta_g Δ}, Δ from the model's rule, {@code eta_g} the server learning
 * rate, 1 by default) and its {@link AggregationReport}. FedBuff's buffer closes through here too
 * ({@link io.floe.core.async.FedBuffStep}).
 *
 * <p>Plain Java so that the job and any auditor replaying the log compute the same bytes: updates
 * are sorted by updateId before the rule sees them, and provenance lists their ids.
 */
public final class RoundCloser {
    private RoundCloser() {
    }

    /** What closing a round publishes, and how each update fared (for dead letters and quarantine). */
    public record ClosedRound(GlobalModel model, AggregationReport report, RoundAggregation.Outcome outcome,
            PrivacyLedger ledger) {
        /** False when central DP's budget stopped the round: nothing is published but the report. */
        public boolean published() {
            return model != null;
        }
    }

    /**
     * Central DP for one round: the model's settings, its ledger so far and the noise secret.
     * Accounting uses q = 1: the server does not select clients by Poisson sampling (yet), so
     * amplification by sampling does not apply.
     */
    public record PrivacyRound(CentralDp dp, PrivacyLedger before, byte[] noiseSecret) {
        public static final double SAMPLE_RATE = 1.0;
    }

    /** Version 0 of a model created by {@code spec} with the already validated weights. */
    public static GlobalModel versionZero(ModelSpec spec, ModelWeights initialWeights, Instant now) {
        return GlobalModel.newBuilder()
                .setModelId(spec.getModelId())
                .setVersion(0)
                .setCreatedAt(now)
                .setArchitecture(spec.getArchitecture())
                .setTensors(TensorRecords.toRecords(initialWeights))
                .setTraining(spec.getTraining())
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(io.floe.core.aggregate.AggregationRules.byName(spec.getAggregation().getRule()).name())
                        .setParentVersion(-1)
                        .setUpdateIds(List.of())
                        .setSeed(spec.getInitSeed())
                        .build())
                .build();
    }

    /**
     * @param current the open version's global model
     * @param currentWeights its decoded tensors
     * @param spec the model's current configuration (training config for the next round)
     * @param settings the model's aggregation settings (rule, cap, clipping, anomaly policy)
     * @param accepted the round's validated updates (any order)
     * @param rejected updates rejected by validation while the round was open, for the report
     */
    public static ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationSettings settings, List<ClientUpdate> accepted, List<RejectedUpdate> rejected, Instant now) {
        return close(current, currentWeights, spec, settings, accepted, rejected, now, null);
    }

    /** As above; with {@code privacy} non-null the round runs DP-FedAvg and updates the ledger, or stops at the budget. */
    public static ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationSettings settings, List<ClientUpdate> accepted, List<RejectedUpdate> rejected, Instant now,
            PrivacyRound privacy) {
        List<ClientUpdate> sorted = new ArrayList<>(accepted);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        long version = current.getVersion() + 1;
        RoundAggregation.Outcome outcome;
        PrivacyLedger ledgerAfter = null;
        PrivacyLedgerEntry privacyEntry = null;
        if (privacy != null) {
            CentralDp dp = privacy.dp();
            PrivacySpent spent = privacy.before().spentAfterRound(PrivacyRound.SAMPLE_RATE, dp.noiseMultiplier(), dp.delta());
            if (dp.targetEpsilon() > 0 && spent.epsilon() > dp.targetEpsilon()) {
                PrivacyLedger exhausted = privacy.before().markExhausted();
                PrivacySpent sofar = privacy.before().spent(dp.delta());
                AggregationReport report = AggregationReport.newBuilder()
                        .setModelId(current.getModelId()).setVersion(version).setBaseVersion(current.getVersion())
                        .setCreatedAt(now).setRule("dp-fedavg").setAccepted(List.of()).setRejected(List.copyOf(rejected))
                        .setClientMetrics(Map.of()).setScores(List.of()).setQuarantined(List.of())
                        .setNote(String.format(java.util.Locale.ROOT, "privacy budget exhausted: version %d would bring epsilon to %.4f "
                                + "> target %.4f at delta %.1e; no further versions of this model are published", version,
                                spent.epsilon(), dp.targetEpsilon(), dp.delta()))
                        .setPrivacy(entry(dp, privacy.before().clipNorm(), privacy.before().rounds(), sofar, true, sorted))
                        .build();
                return new ClosedRound(null, report, null, exhausted);
            }
            outcome = RoundAggregation.runPrivately(sorted, currentWeights, dp, privacy.before().clipNorm(),
                    NoiseSeed.of(privacy.noiseSecret(), current.getModelId(), version));
            ledgerAfter = privacy.before().afterRound(PrivacyRound.SAMPLE_RATE, dp.noiseMultiplier(), outcome.dp().nextClipNorm());
            privacyEntry = entry(dp, privacy.before().clipNorm(), ledgerAfter.rounds(), spent, false, sorted);
        } else {
            outcome = RoundAggregation.run(sorted, currentWeights, settings);
        }
        ModelWeights next = currentWeights.plusScaled(outcome.delta(), (float) settings.serverLearningRate());
        Map<String, RoundAggregation.UpdateOutcome> byId = RoundAggregation.byUpdateId(outcome);

        List<ClientUpdate> aggregated = sorted.stream()
                .filter(u -> byId.get(u.updateId()).decision() != Decision.REJECT).toList();
        GlobalModel model = nextVersion(current, spec, next, outcome.ruleApplied(),
                aggregated.stream().map(ClientUpdate::updateId).toList(), now);

        List<AcceptedUpdate> acceptedRecords = new ArrayList<>();
        for (ClientUpdate u : aggregated) {
            acceptedRecords.add(AcceptedUpdate.newBuilder()
                    .setUpdateId(u.updateId())
                    .setClientId(u.clientId())
                    .setNumExamples(u.numExamples())
                    .setWeight(byId.get(u.updateId()).weight())
                    .build());
        }
        List<RejectedUpdate> allRejected = new ArrayList<>(rejected);
        List<UpdateScore> scores = new ArrayList<>();
        for (RoundAggregation.UpdateOutcome o : outcome.outcomes()) {
            if (o.decision() == Decision.REJECT) {
                allRejected.add(RejectedUpdate.newBuilder()
                        .setUpdateId(o.scores().updateId())
                        .setClientId(o.scores().clientId())
                        .setReason(RejectionReason.ANOMALOUS_UPDATE.name())
                        .setDetail(o.reason())
                        .build());
            }
            if (privacy != null) {
                continue; // per-update norms and clip factors are un-noised facts about single clients
            }
            scores.add(UpdateScore.newBuilder()
                    .setUpdateId(o.scores().updateId())
                    .setClientId(o.scores().clientId())
                    .setL2Norm(o.scores().l2Norm())
                    .setNormZ(o.scores().normZ())
                    .setCosineToMedian(o.scores().cosineToMedian())
                    .setKrumScore(o.scores().krumScore())
                    .setDecision(o.decision().name())
                    .setReason(o.reason())
                    .setClipFactor(o.clipFactor())
                    .build());
        }
        AggregationReport report = AggregationReport.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(version)
                .setBaseVersion(current.getVersion())
                .setCreatedAt(now)
                .setRule(outcome.ruleApplied())
                .setAccepted(acceptedRecords)
                .setRejected(allRejected)
                .setClientMetrics(WeightedMetrics.average(aggregated))
                .setScores(scores)
                .setQuarantined(List.of())
                .setNote(outcome.note())
                .setPrivacy(privacyEntry)
                .setMode(settings.async().mode().configName())
                .setStaleness(stalenessHistogram(current.getVersion(), aggregated))
                .setLateUpdates(lateUpdates(rejected))
                .build();
        return new ClosedRound(model, report, outcome, ledgerAfter);
    }

    /** Version {@code current + 1} with the given weights, made by {@code rule} from {@code updateIds} (sorted). */
    public static GlobalModel nextVersion(GlobalModel current, ModelSpec spec, ModelWeights next, String rule,
            List<String> updateIds, Instant now) {
        return GlobalModel.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(current.getVersion() + 1)
                .setCreatedAt(now)
                .setArchitecture(current.getArchitecture())
                .setTensors(TensorRecords.toRecords(next))
                .setTraining(spec.getTraining())
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(rule)
                        .setParentVersion(current.getVersion())
                        .setUpdateIds(updateIds)
                        .setSeed(spec.getInitSeed())
                        .build())
                .build();
    }

    /** tau = currentVersion - baseVersion of each update, counted: {@code {"0": 8, "2": 1}}, keys in numeric order. */
    public static Map<String, Long> stalenessHistogram(long currentVersion, List<ClientUpdate> updates) {
        java.util.TreeMap<Long, Long> counts = new java.util.TreeMap<>();
        for (ClientUpdate u : updates) {
            counts.merge(currentVersion - u.baseVersion(), 1L, Long::sum);
        }
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        counts.forEach((tau, n) -> out.put(Long.toString(tau), n));
        return out;
    }

    /** Rejections for coming too late: LATE_UPDATE (sync) and STALE_UPDATE (async). */
    public static int lateUpdates(List<RejectedUpdate> rejected) {
        int n = 0;
        for (RejectedUpdate r : rejected) {
            if (RejectionReason.LATE_UPDATE.name().equals(r.getReason()) || RejectionReason.STALE_UPDATE.name().equals(r.getReason())) {
                n++;
            }
        }
        return n;
    }

    private static PrivacyLedgerEntry entry(CentralDp dp, double clipNorm, long rounds, PrivacySpent spent, boolean exhausted,
            List<ClientUpdate> updates) {
        Map<String, Double> clientEps = new java.util.TreeMap<>();
        for (ClientUpdate u : updates) {
            Double e = u.metrics().get("dp_epsilon");
            if (e != null && Double.isFinite(e)) {
                clientEps.put(u.clientId(), e);
            }
        }
        return PrivacyLedgerEntry.newBuilder()
                .setMechanism(dp.mechanism())
                .setNoiseMultiplier(dp.noiseMultiplier())
                .setClipNorm(clipNorm)
                .setSampleRate(PrivacyRound.SAMPLE_RATE)
                .setRounds(rounds)
                .setEpsilon(spent.epsilon())
                .setDelta(dp.delta())
                .setBestOrder(spent.bestOrder())
                .setTargetEpsilon(dp.targetEpsilon())
                .setExhausted(exhausted)
                .setClientEpsilons(clientEps)
                .build();
    }
}
