package io.floe.core.round;

import io.floe.core.async.AsyncMode;
import io.floe.core.async.AsyncSettings;

import io.floe.core.aggregate.AggregationRule;
import io.floe.core.aggregate.AggregationRules;
import io.floe.core.aggregate.ExampleCountCap;
import io.floe.core.aggregate.NormClipping;
import io.floe.core.aggregate.RuleParameters;
import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.core.anomaly.QuarantineRule;
import io.floe.schema.AggregationConfig;
import io.floe.core.privacy.CentralDp;
import java.util.Optional;

/**
 * A model's server-side aggregation, as its ModelSpec configures it: the rule and its parameters,
 * an optional cap on self-reported example counts, optional norm clipping, the anomaly policy and
 * the quarantine rule, central DP, the server learning rate and the (a)synchronous mode.
 * {@link #from} checks every field and says what is wrong.
 */
public record AggregationSettings(AggregationRule rule, RuleParameters parameters, Optional<ExampleCountCap> exampleCap,
        Optional<NormClipping> clipping, AnomalyPolicy anomalyPolicy, QuarantineRule quarantine,
        Optional<CentralDp> centralDp, double serverLearningRate, AsyncSettings async) {

    /** @throws IllegalArgumentException naming the field when the config is inconsistent */
    public static AggregationSettings from(AggregationConfig c) {
        RuleParameters p = new RuleParameters(c.getTrimFraction(), c.getByzantineClients(), c.getMultiKrumSelection());
        AggregationRule rule = AggregationRules.create(c.getRule(), p);
        AnomalyPolicy policy = new AnomalyPolicy(AnomalyPolicy.parseMode(c.getAnomalyPolicy()), c.getNormZThreshold(),
                c.getCosineThreshold(), c.getDownweightFactor());
        QuarantineRule quarantine = c.getQuarantineWindow() == 0 ? QuarantineRule.DISABLED
                : new QuarantineRule(c.getQuarantineWindow(), c.getQuarantineRejections());
        Optional<CentralDp> dp = CentralDp.from(c);
        Optional<ExampleCountCap> cap = ExampleCountCap.fromConfig(c.getExampleCap(), c.getExampleCapValue());
        Optional<NormClipping> clipping = NormClipping.fromConfig(c.getClipping(), c.getClipNorm());
        if (dp.isPresent()) {
            // DP-FedAvg's guarantee rests on each client moving the noisy sum by at most C. A rule or
            // step whose output one client can move by more, or whose choices depend on the other
            // clients' data, voids it; such combinations are refused rather than silently weakened.
            if (!rule.name().equals("fedavg")) {
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
        if (async.mode() == AsyncMode.FEDASYNC && !rule.name().equals("fedavg")) {
            throw new IllegalArgumentException("fedasync mixes one update at a time, so a robust rule (" + rule.name()
                    + ") has nothing to compare it with; use mode fedbuff, whose buffer the rule aggregates like a round");
        }
        return new AggregationSettings(rule, p, cap, clipping, policy, quarantine, dp, eta, async);
    }
}
