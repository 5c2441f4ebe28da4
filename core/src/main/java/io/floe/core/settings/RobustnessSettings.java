package io.floe.core.settings;

import io.floe.core.aggregate.AggregationRule;
import io.floe.core.aggregate.ExampleCountCap;
import io.floe.core.aggregate.FederatedAveraging;
import io.floe.core.aggregate.NormClipping;
import io.floe.core.aggregate.RuleParameters;
import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.core.anomaly.QuarantineRule;
import java.util.Optional;

/**
 * How a model's server defends its aggregate against faulty or Byzantine clients: the rule
 * (FedAvg, or a robust one: coordinate-wise median and trimmed mean of Yin et al. 2018, Krum and
 * Multi-Krum of Blanchard et al. 2017) with its parameters, an optional cap on self-reported
 * example counts, optional norm clipping (Sun et al. 2019), the anomaly policy that flags,
 * down-weights or rejects suspicious updates, and the rule that quarantines a client after repeated
 * rejections.
 *
 * @param rule the aggregation rule; {@link io.floe.core.drift.FedNova} when the drift algorithm is
 *     fednova (it replaces fedavg)
 * @param parameters the rule parameters as configured (trim fraction, f, Multi-Krum's m); also the
 *     anomaly scorer's f
 */
public record RobustnessSettings(AggregationRule rule, RuleParameters parameters, Optional<ExampleCountCap> exampleCap,
        Optional<NormClipping> clipping, AnomalyPolicy anomalyPolicy, QuarantineRule quarantine) {

    /** Whether the rule is plain FedAvg, the n_i-weighted mean (McMahan et al. 2017). */
    public boolean federatedAveraging() {
        return isFederatedAveraging(rule);
    }

    static boolean isFederatedAveraging(AggregationRule rule) {
        return rule instanceof FederatedAveraging;
    }
}
