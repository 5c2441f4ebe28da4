package io.floe.core.round;

import io.floe.core.aggregate.AggregationRule;
import io.floe.core.aggregate.AggregationRules;
import io.floe.core.aggregate.ExampleCountCap;
import io.floe.core.aggregate.NormClipping;
import io.floe.core.aggregate.RuleParameters;
import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.core.anomaly.QuarantineRule;
import io.floe.schema.AggregationConfig;
import java.util.Optional;

/**
 * A model's server-side aggregation, as its ModelSpec configures it: the rule and its parameters,
 * an optional cap on self-reported example counts, optional norm clipping, the anomaly policy and
 * the quarantine rule. {@link #from} checks every field and says what is wrong.
 */
public record AggregationSettings(AggregationRule rule, RuleParameters parameters, Optional<ExampleCountCap> exampleCap,
        Optional<NormClipping> clipping, AnomalyPolicy anomalyPolicy, QuarantineRule quarantine) {

    /** @throws IllegalArgumentException naming the field when the config is inconsistent */
    public static AggregationSettings from(AggregationConfig c) {
        RuleParameters p = new RuleParameters(c.getTrimFraction(), c.getByzantineClients(), c.getMultiKrumSelection());
        AggregationRule rule = AggregationRules.create(c.getRule(), p);
        AnomalyPolicy policy = new AnomalyPolicy(AnomalyPolicy.parseMode(c.getAnomalyPolicy()), c.getNormZThreshold(),
                c.getCosineThreshold(), c.getDownweightFactor());
        QuarantineRule quarantine = c.getQuarantineWindow() == 0 ? QuarantineRule.DISABLED
                : new QuarantineRule(c.getQuarantineWindow(), c.getQuarantineRejections());
        return new AggregationSettings(rule, p, ExampleCountCap.fromConfig(c.getExampleCap(), c.getExampleCapValue()),
                NormClipping.fromConfig(c.getClipping(), c.getClipNorm()), policy, quarantine);
    }
}
