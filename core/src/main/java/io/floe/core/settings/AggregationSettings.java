package io.floe.core.settings;

import io.floe.core.async.AsyncMode;
import io.floe.core.async.AsyncSettings;
import io.floe.core.aggregate.AggregationRule;
import io.floe.core.aggregate.AggregationRules;
import io.floe.core.aggregate.ExampleCountCap;
import io.floe.core.aggregate.NormClipping;
import io.floe.core.aggregate.RuleParameters;
import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.core.anomaly.QuarantineRule;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.FedNova;
import io.floe.core.drift.ServerOptimizer;
import io.floe.core.privacy.CentralDp;
import io.floe.core.round.RoundDeadline;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import java.util.Optional;

/**
 * A model's server-side aggregation, as its ModelSpec configures it, parsed and checked once by
 * {@link #from(ModelSpec)} (which says what is wrong), in typed groups:
 * <ul>
 *   <li>{@link RobustnessSettings}: the rule and its parameters, an optional cap on self-reported
 *       example counts, optional norm clipping, the anomaly policy and the quarantine rule;
 *   <li>{@link DriftSettings}: the algorithm against client drift, the server optimizer and the
 *       server learning rate eta_g;
 *   <li>{@link AsyncSettings}: the (a)synchronous mode (FedAsync, FedBuff) and its staleness settings;
 *   <li>central DP ({@link CentralDp}, DP-FedAvg of McMahan et al., ICLR 2018), when configured;
 *   <li>{@link SelectionSettings}: which clients a round asks; {@link RoundSettings}: its size and deadline.
 * </ul>
 *
 * <p>With {@code algorithm = fednova} the rule is {@link FedNova} (it replaces fedavg, the only
 * rule it may be combined with). {@code serverLearningRate} is the effective eta_g of the fedavg
 * server step, whether it came from {@code serverLearningRate} or from {@code serverOptimizer
 * fedavg:eta=E}; other server optimizers carry their own eta and require serverLearningRate 1.
 *
 * @param centralDp central DP's settings, empty when {@code dpNoiseMultiplier} is 0
 */
public record AggregationSettings(RobustnessSettings robustness, DriftSettings drift, AsyncSettings async,
        Optional<CentralDp> centralDp, SelectionSettings selection, RoundSettings round) {

    /** Whether the model is chunked (aggregation.chunkBytes set): its rounds run on the sharded path. */
    public boolean chunked() {
        return round.chunkBytes() > 0;
    }

    /** The settings of {@code spec}: its aggregation config, with FedNova's rho defaulting to the clients' momentum. */
    public static AggregationSettings from(ModelSpec spec) {
        return from(spec.getAggregation(), spec.getTraining());
    }

    /** As {@link #from(AggregationConfig, ClientTrainingConfig)} with the default training config (momentum 0). */
    public static AggregationSettings from(AggregationConfig c) {
        return from(c, ClientTrainingConfig.newBuilder().build());
    }

    /** @throws IllegalArgumentException naming the field when the config is inconsistent */
    public static AggregationSettings from(AggregationConfig c, ClientTrainingConfig training) {
        RuleParameters p = new RuleParameters(c.getTrimFraction(), c.getByzantineClients(), c.getMultiKrumSelection());
        AggregationRule rule = AggregationRules.create(c.getRule(), p);
        AnomalyPolicy policy = new AnomalyPolicy(AnomalyPolicy.parseMode(c.getAnomalyPolicy()), c.getNormZThreshold(),
                c.getCosineThreshold(), c.getDownweightFactor(), c.getMaxNormRatio());
        QuarantineRule quarantine = c.getQuarantineWindow() == 0 ? QuarantineRule.DISABLED
                : new QuarantineRule(c.getQuarantineWindow(), c.getQuarantineRejections());
        Optional<CentralDp> dp = CentralDp.from(c);
        Optional<ExampleCountCap> cap = ExampleCountCap.fromConfig(c.getExampleCap(), c.getExampleCapValue());
        Optional<NormClipping> clipping = NormClipping.fromConfig(c.getClipping(), c.getClipNorm());
        if (dp.isPresent()) {
            // DP-FedAvg's guarantee rests on each client moving the noisy sum by at most C. A rule or
            // step whose output one client can move by more, or whose choices depend on the other
            // clients' data, voids it; such combinations are refused rather than silently weakened.
            if (!RobustnessSettings.isFederatedAveraging(rule)) {
                throw new IllegalArgumentException("central DP needs rule fedavg: the sensitivity of " + rule.name()
                        + " to one client is not bounded by the clip norm C, so the Gaussian noise would not give the stated epsilon");
            }
            if (policy.mode() != io.floe.core.anomaly.Decision.FLAG || clipping.isPresent() || cap.isPresent()) {
                throw new IllegalArgumentException("central DP clips and weighs updates itself; anomaly rejection or down-weighting, "
                        + "norm clipping and example caps decide from other clients' updates, which breaks the per-client sensitivity bound: "
                        + "use anomalyPolicy flag, clipping none and exampleCap none");
            }
        }
        double eta = c.getServerLearningRate();
        if (!(eta > 0) || !Double.isFinite(eta)) {
            throw new IllegalArgumentException("serverLearningRate must be positive and finite, was " + eta);
        }
        AsyncSettings async = AsyncSettings.from(c);
        if (async.isAsync() && dp.isPresent()) {
            throw new IllegalArgumentException("central DP is accounted per synchronous round; use mode sync with dpNoiseMultiplier > 0");
        }
        if (async.mode() == AsyncMode.FEDASYNC && !RobustnessSettings.isFederatedAveraging(rule)) {
            throw new IllegalArgumentException("fedasync mixes one update at a time, so a robust rule (" + rule.name()
                    + ") has nothing to compare it with; use mode fedbuff, whose buffer the rule aggregates like a round");
        }
        DriftAlgorithm algorithm = algorithmOf(c, training);
        ServerOptimizer optimizer;
        try {
            optimizer = ServerOptimizer.parse(c.getServerOptimizer());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("serverOptimizer: " + e.getMessage(), e);
        }
        if (optimizer instanceof ServerOptimizer.FedAvg fedAvg) {
            if (fedAvg.eta() != 1 && eta != 1) {
                throw new IllegalArgumentException("serverOptimizer " + c.getServerOptimizer() + " and serverLearningRate " + eta
                        + " both set eta_g; set one of them");
            }
            eta = fedAvg.eta() != 1 ? fedAvg.eta() : eta;
            optimizer = new ServerOptimizer.FedAvg(eta);
        } else {
            if (eta != 1) {
                throw new IllegalArgumentException("serverLearningRate " + eta + " applies to the fedavg server step only; serverOptimizer "
                        + c.getServerOptimizer() + " has its own eta (e.g. " + optimizer.name() + ":eta=0.01): leave serverLearningRate at 1");
            }
            if (async.mode() == AsyncMode.FEDASYNC) {
                throw new IllegalArgumentException("fedasync mixes each client model into the global one and takes no server step, so serverOptimizer "
                        + optimizer.name() + " has nothing to act on; use mode fedbuff or sync, or serverOptimizer fedavg");
            }
        }
        DriftAlgorithm.Kind kind = algorithm.kind();
        if (kind == DriftAlgorithm.Kind.SCAFFOLD || kind == DriftAlgorithm.Kind.FEDNOVA) {
            String name = kind.specName();
            if (!RobustnessSettings.isFederatedAveraging(rule)) {
                throw new IllegalArgumentException("algorithm " + name + " needs rule fedavg: "
                        + (kind == DriftAlgorithm.Kind.FEDNOVA ? "FedNova is itself the averaging rule (normalised by each client's local steps)"
                                : "SCAFFOLD's control variates correct drift around the mean of the clients' deltas")
                        + ", and " + rule.name() + " would replace that mean");
            }
            if (async.mode() == AsyncMode.FEDASYNC) {
                throw new IllegalArgumentException("algorithm " + name + " aggregates a round of updates; fedasync applies them one at a time: "
                        + "use mode sync" + (kind == DriftAlgorithm.Kind.FEDNOVA ? " or fedbuff" : ""));
            }
            if (kind == DriftAlgorithm.Kind.SCAFFOLD && async.mode() == AsyncMode.FEDBUFF) {
                // Each Delta c_i is computed against the c of the version its client trained from; a
                // buffer mixes versions, and the staleness weights would scale Delta y_i but not Delta c_i,
                // so c would stop being the mean of the clients' c_i (Karimireddy et al. analyse sync rounds).
                throw new IllegalArgumentException("algorithm scaffold needs mode sync: a fedbuff buffer mixes control deltas computed "
                        + "against different versions' c, so the server c would drift from the mean of the clients' c_i");
            }
            if (dp.isPresent()) {
                throw new IllegalArgumentException("algorithm " + name + " cannot run with central DP: " + (kind == DriftAlgorithm.Kind.SCAFFOLD
                        ? "the control deltas Delta c_i are un-clipped, un-noised functions of each client's data and c is published"
                        : "FedNova's coefficients tau_eff p_i / a_i let one client move the sum by more than the clip norm C"));
            }
        }
        if (kind == DriftAlgorithm.Kind.FEDNOVA) {
            rule = new FedNova(algorithm.localMomentum());
        }
        int total = c.getTotalClients();
        if (total != 0 && total < c.getClientsPerRound()) {
            throw new IllegalArgumentException("totalClients (SCAFFOLD's N) must be 0 (= clientsPerRound) or at least clientsPerRound "
                    + c.getClientsPerRound() + ", was " + total);
        }
        int scaffoldClients = total == 0 ? Math.max(1, c.getClientsPerRound()) : total;
        RobustnessSettings robustness = new RobustnessSettings(rule, p, cap, clipping, policy, quarantine);
        DriftSettings drift = new DriftSettings(algorithm, optimizer, eta, scaffoldClients);
        SelectionSettings selection = new SelectionSettings(c.getFractionFit(), c.getMinFitClients(), c.getMinAvailableClients(),
                c.getClientTimeoutMs());
        RoundSettings round = new RoundSettings(c.getClientsPerRound(), RoundDeadline.from(c),
                c.getChunkBytes() == null ? 0 : c.getChunkBytes());
        return new AggregationSettings(robustness, drift, async, dp, selection, round);
    }

    /**
     * The drift algorithm {@code c.algorithm} names, FedNova's rho defaulting to the clients'
     * {@code training.momentum}: FedNova must normalise by the momentum the clients actually use
     * (Wang et al. 2020, eq. (7)), so an explicit rho that differs from it is refused.
     */
    public static DriftAlgorithm algorithmOf(AggregationConfig c, ClientTrainingConfig training) {
        float m = training.getMomentum();
        if (!(m >= 0 && m < 1)) {
            throw new IllegalArgumentException("training momentum must be in [0, 1), was " + m);
        }
        // the decimal the operator wrote (0.9), not the float's binary expansion (0.8999999761...)
        double momentum = Double.parseDouble(Float.toString(m));
        DriftAlgorithm algorithm;
        try {
            algorithm = DriftAlgorithm.parse(c.getAlgorithm(), momentum);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("algorithm: " + e.getMessage(), e);
        }
        if (algorithm.kind() == DriftAlgorithm.Kind.FEDNOVA && Math.abs(algorithm.localMomentum() - momentum) > 1e-6) {
            throw new IllegalArgumentException("algorithm " + c.getAlgorithm() + " gives FedNova rho " + algorithm.localMomentum()
                    + " but the clients train with momentum " + momentum + " (training.momentum); FedNova must normalise by "
                    + "the momentum the clients use: drop rho or make them equal");
        }
        return algorithm;
    }
}
