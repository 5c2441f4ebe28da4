package io.floe.core.drift;

import io.floe.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * What one {@link ServerOptimizer#step} produced: the next global weights and the optimizer state
 * to keep for the step after.
 */
public record ServerStep(ModelWeights weights, OptimizerState state) {
    public ServerStep {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(state, "state");
    }
}
