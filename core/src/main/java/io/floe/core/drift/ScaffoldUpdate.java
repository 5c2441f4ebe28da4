package io.floe.core.drift;

import io.floe.core.tensor.ModelWeights;
import java.util.Objects;

/**
 * What one SCAFFOLD client sends (Karimireddy et al., ICML 2020, Algorithm 1, line 13): its model
 * delta {@code Delta y_i = y_i - x} and its control delta {@code Delta c_i = c_i+ - c_i}.
 *
 * @param updateId the update's idempotency key, also the order sums run in
 */
public record ScaffoldUpdate(String updateId, ModelWeights deltaY, ModelWeights deltaC) {
    public ScaffoldUpdate {
        Objects.requireNonNull(updateId, "updateId");
        Objects.requireNonNull(deltaY, "deltaY");
        Objects.requireNonNull(deltaC, "deltaC");
        if (!deltaY.sameLayout(deltaC)) {
            throw new IllegalArgumentException("SCAFFOLD update " + updateId + ": deltaY " + deltaY.describe()
                    + " and deltaC " + deltaC.describe() + " differ in layout");
        }
    }
}
