package io.floe.core.aggregate;

import io.floe.core.tensor.ModelWeights;
import java.util.Map;
import java.util.Objects;

/**
 * One validated client contribution to a round: the delta {@code w_local - w_base} and what the
 * client says about it.
 *
 * @param updateId unique id of the update (idempotency key; also the deterministic sort key)
 * @param clientId who sent it
 * @param baseVersion the global version it was trained from
 * @param numExamples local training examples, the FedAvg weight n_i (always positive here)
 * @param localSteps optimizer steps the client took
 * @param delta the weight delta
 * @param metrics the client's local validation metrics (may be empty)
 */
public record ClientUpdate(String updateId, String clientId, long baseVersion, long numExamples, int localSteps,
        ModelWeights delta, Map<String, Double> metrics) {

    public ClientUpdate {
        Objects.requireNonNull(updateId, "updateId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(delta, "delta");
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        if (numExamples <= 0) {
            throw new IllegalArgumentException("numExamples must be positive, was " + numExamples);
        }
    }
}
