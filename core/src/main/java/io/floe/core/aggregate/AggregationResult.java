package io.floe.core.aggregate;

import io.floe.core.tensor.ModelWeights;
import java.util.Map;
import java.util.Objects;

/**
 * What a rule produced: the aggregated delta and the weight it gave each update (by updateId),
 * which goes into the round's report.
 */
public record AggregationResult(ModelWeights delta, Map<String, Double> weights) {
    public AggregationResult {
        Objects.requireNonNull(delta, "delta");
        weights = Map.copyOf(weights);
    }
}
