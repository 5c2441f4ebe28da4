package io.floe.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientUpdateTest {

    private static final ModelWeights DELTA = new ModelWeights(List.of(Tensor.zeros("b", 1)));

    @Test
    void rejectsNonPositiveExampleCount() {
        // Execute / Assert
        assertThatThrownBy(() -> new ClientUpdate("u", "c", 0L, 0L, 1, DELTA, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numExamples must be positive, was 0");
        assertThatThrownBy(() -> new ClientUpdate("u", "c", 0L, -5L, 1, DELTA, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullMetricsBecomeEmptyAndMetricsAreCopied() {
        // Prepare
        Map<String, Double> metrics = new HashMap<>(Map.of("loss", 0.5));

        // Execute
        ClientUpdate withNull = new ClientUpdate("u", "c", 0L, 1L, 1, DELTA, null);
        ClientUpdate withMap = new ClientUpdate("u", "c", 0L, 1L, 1, DELTA, metrics);
        metrics.put("loss", 9.0);

        // Assert
        assertThat(withNull.metrics()).isEmpty();
        assertThat(withMap.metrics()).containsExactlyEntriesOf(Map.of("loss", 0.5));
    }
}
