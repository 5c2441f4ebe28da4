package io.floe.core.round;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.WeightedMetrics;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.OptimizerState;
import io.floe.core.drift.ScaffoldServer;
import io.floe.core.drift.ScaffoldUpdate;
import io.floe.core.drift.ServerOptimizer;
import io.floe.core.drift.ServerStep;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
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
 * Turns a complete round into what the job publishes: global version {@code v+1} and its
 * {@link AggregationReport}. FedBuff's buffer closes through here too
 * ({@link io.floe.core.async.FedBuffStep}).
 *
 * <p>The round's delta Δ comes from the model's rule ({@link io.floe.core.drift.FedNova} for {@code algorithm
 * fednova}); the server step is then {@code w_{v+1} = w_v + eta_g Δ} for {@code serverOptimizer
 * fedavg} ({@code eta_g} the server learning rate, 1 by default) or the model's
 * {@link ServerOptimizer} with the state the previous round left ({@link DriftInputs}), returned in
 * {@link ClosedRound#optimizerState()} for the caller to keep. A round in which every update was
 * rejected keeps the previous weights and does not step the optimizer: a zero delta would still
 * move x through the momentum, and the previous model is to be kept (as Flower does).
 *
 * <p>SCAFFOLD (Karimireddy et al., ICML 2020, Algorithm 1): x moves as above (rule fedavg: the
 * n_i-weighted mean of Δy_i, which is the paper's 1/|S| mean when the n_i are equal), and the
 * server control variate, carried in {@link GlobalModel#getControl()}, moves by
 * {@code c <- c + (1/N) sum_{i in S} Δc_i} over the updates the round aggregated (anomaly
 * rejections excluded, so a rejected client cannot steer c), N being {@link
 * AggregationSettings#scaffoldClients()}. A version with no control (a model switched to scaffold)
 * counts as c = 0.
 *
 * <p>Plain Java so that the job and any auditor replaying the log compute the same bytes: updates
 * are sorted by updateId before the rule sees them, and provenance lists their ids.
 */
public final class RoundCloser {
    private RoundCloser() {
    }

    /**
     * What closing a round publishes, and how each update fared (for dead letters and quarantine).
     *
     * @param optimizerState the server optimizer's state to keep for the next round (the state passed
     *     in, or the optimizer's initial one, when the round did not step); null only from the
     *     four-argument constructor
     */
    public record ClosedRound(GlobalModel model, AggregationReport report, RoundAggregation.Outcome outcome,
            PrivacyLedger ledger, OptimizerState optimizerState) {
        public ClosedRound(GlobalModel model, AggregationReport report, RoundAggregation.Outcome outcome, PrivacyLedger ledger) {
            this(model, report, outcome, ledger, null);
        }

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

    /**
     * What the drift algorithms bring into a round besides the updates.
     *
     * @param optimizerState the server optimizer's state after the previous round; null starts from
     *     {@link ServerOptimizer#initialState} (the model's first round, or a changed optimizer)
     * @param controlDeltas SCAFFOLD: each update's Δc_i by updateId (validated to have the model's
     *     layout); empty for other algorithms
     */
    public record DriftInputs(OptimizerState optimizerState, Map<String, ModelWeights> controlDeltas) {
        public DriftInputs {
            controlDeltas = controlDeltas == null ? Map.of() : Map.copyOf(controlDeltas);
        }

        /** No stored optimizer state, no control deltas. */
        public static DriftInputs none() {
            return new DriftInputs(null, Map.of());
        }
    }

    /**
     * Version 0 of a model created by {@code spec} with the already validated weights; a scaffold
     * model's carries c = 0 (Algorithm 1 starts every control variate at zero).
     */
    public static GlobalModel versionZero(ModelSpec spec, ModelWeights initialWeights, Instant now) {
        return GlobalModel.newBuilder()
                .setModelId(spec.getModelId())
                .setVersion(0)
                .setCreatedAt(now)
                .setArchitecture(spec.getArchitecture())
                .setTensors(TensorRecords.toRecords(initialWeights))
                .setTraining(trainingFor(spec))
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(io.floe.core.aggregate.AggregationRules.byName(spec.getAggregation().getRule()).name())
                        .setParentVersion(-1)
                        .setUpdateIds(List.of())
                        .setSeed(spec.getInitSeed())
                        .build())
                .setControl(isScaffold(spec) ? TensorRecords.toRecords(ScaffoldServer.initialControl(initialWeights)) : List.of())
                .build();
    }

    /**
     * The client training config a version carries: the spec's, with {@code algorithm} set to the
     * aggregation's drift algorithm in canonical form (FedNova's rho resolved), so trainers learn
     * from the model which local correction to apply.
     */
    public static ClientTrainingConfig trainingFor(ModelSpec spec) {
        DriftAlgorithm algorithm = AggregationSettings.algorithmOf(spec.getAggregation(), spec.getTraining());
        return ClientTrainingConfig.newBuilder(spec.getTraining()).setAlgorithm(algorithm.toSpec()).build();
    }

    private static boolean isScaffold(ModelSpec spec) {
        return AggregationSettings.algorithmOf(spec.getAggregation(), spec.getTraining()).kind() == DriftAlgorithm.Kind.SCAFFOLD;
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
        return close(current, currentWeights, spec, settings, accepted, rejected, now, privacy, DriftInputs.none());
    }

    /**
     * As above, with the server optimizer's state and SCAFFOLD's control deltas.
     *
     * @param privacy central DP for the round, or null
     * @throws IllegalArgumentException when a scaffold model's aggregated update has no control delta
     */
    public static ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationSettings settings, List<ClientUpdate> accepted, List<RejectedUpdate> rejected, Instant now,
            PrivacyRound privacy, DriftInputs drift) {
        OptimizerState stateBefore = drift.optimizerState() != null ? drift.optimizerState()
                : settings.serverOptimizer().initialState(currentWeights);
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
                return new ClosedRound(null, report, null, exhausted, stateBefore);
            }
            outcome = RoundAggregation.runPrivately(sorted, currentWeights, dp, privacy.before().clipNorm(),
                    NoiseSeed.of(privacy.noiseSecret(), current.getModelId(), version));
            ledgerAfter = privacy.before().afterRound(PrivacyRound.SAMPLE_RATE, dp.noiseMultiplier(), outcome.dp().nextClipNorm());
            privacyEntry = entry(dp, privacy.before().clipNorm(), ledgerAfter.rounds(), spent, false, sorted);
        } else {
            outcome = RoundAggregation.run(sorted, currentWeights, settings);
        }
        Map<String, RoundAggregation.UpdateOutcome> byId = RoundAggregation.byUpdateId(outcome);
        List<ClientUpdate> aggregated = sorted.stream()
                .filter(u -> byId.get(u.updateId()).decision() != Decision.REJECT).toList();

        ModelWeights next;
        OptimizerState stateAfter = stateBefore;
        if (settings.serverOptimizer() instanceof ServerOptimizer.FedAvg) {
            next = currentWeights.plusScaled(outcome.delta(), (float) settings.serverLearningRate());
        } else if (aggregated.isEmpty()) {
            next = currentWeights;
        } else {
            ServerStep step = settings.serverOptimizer().step(currentWeights, outcome.delta(), stateBefore);
            next = step.weights();
            stateAfter = step.state();
        }
        ModelWeights control = null;
        if (settings.algorithm().kind() == DriftAlgorithm.Kind.SCAFFOLD) {
            control = nextControl(current, currentWeights, settings, aggregated, drift.controlDeltas());
        }
        GlobalModel model = nextVersion(current, spec, next, outcome.ruleApplied(),
                aggregated.stream().map(ClientUpdate::updateId).toList(), now, control);

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
        return new ClosedRound(model, report, outcome, ledgerAfter, stateAfter);
    }

    /** SCAFFOLD's {@code c + (1/N) sum Δc_i} over the aggregated updates (Algorithm 1, line 17). */
    private static ModelWeights nextControl(GlobalModel current, ModelWeights currentWeights, AggregationSettings settings,
            List<ClientUpdate> aggregated, Map<String, ModelWeights> controlDeltas) {
        ModelWeights c = current.getControl().isEmpty() ? ScaffoldServer.initialControl(currentWeights)
                : TensorRecords.fromRecords(current.getControl());
        if (aggregated.isEmpty()) {
            return c;
        }
        List<ScaffoldUpdate> updates = new ArrayList<>(aggregated.size());
        for (ClientUpdate u : aggregated) {
            ModelWeights dc = controlDeltas.get(u.updateId());
            if (dc == null) {
                throw new IllegalArgumentException("SCAFFOLD: update " + u.updateId() + " carries no control delta");
            }
            updates.add(new ScaffoldUpdate(u.updateId(), u.delta(), dc));
        }
        // N >= |S| always holds for a sync round (|S| <= clientsPerRound <= N); the max guards a
        // round that filled up before a spec lowered clientsPerRound. Only c is taken: x follows the rule.
        int n = Math.max(settings.scaffoldClients(), updates.size());
        return ScaffoldServer.step(currentWeights, c, updates, n, 1.0).control();
    }

    /** Version {@code current + 1} with the given weights, made by {@code rule} from {@code updateIds} (sorted); no control. */
    public static GlobalModel nextVersion(GlobalModel current, ModelSpec spec, ModelWeights next, String rule,
            List<String> updateIds, Instant now) {
        return nextVersion(current, spec, next, rule, updateIds, now, null);
    }

    /** As above, carrying SCAFFOLD's server control variate {@code control} (null: none). */
    public static GlobalModel nextVersion(GlobalModel current, ModelSpec spec, ModelWeights next, String rule,
            List<String> updateIds, Instant now, ModelWeights control) {
        return GlobalModel.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(current.getVersion() + 1)
                .setCreatedAt(now)
                .setArchitecture(current.getArchitecture())
                .setTensors(TensorRecords.toRecords(next))
                .setTraining(trainingFor(spec))
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(rule)
                        .setParentVersion(current.getVersion())
                        .setUpdateIds(updateIds)
                        .setSeed(spec.getInitSeed())
                        .build())
                .setControl(control == null ? List.of() : TensorRecords.toRecords(control))
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
