package io.floe.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedMetricsTest {

    private static ClientUpdate update(String id, long n, Map<String, Double> metrics) {
        return new ClientUpdate(id, "client-" + id, 0L, n, 1,
                new ModelWeights(List.of(Tensor.zeros("b", 1))), metrics);
    }

    @Test
    void averagesWithExampleWeights() {
        // Prepare
        List<ClientUpdate> updates = List.of(
                update("a", 1, Map.of("loss", 1.0)),
                update("b", 3, Map.of("loss", 0.2)));

        // Execute
        Map<String, Double> avg = WeightedMetrics.average(updates);

        // Assert: (1*1.0 + 3*0.2) / 4 = 0.4
        assertThat(avg).containsOnlyKeys("loss");
        assertThat(avg.get("loss")).isCloseTo(0.4, within(1e-12));
    }

    @Test
    void metricReportedBySomeClientsIsAveragedOverThose() {
        // Prepare
        List<ClientUpdate> updates = List.of(
                update("a", 2, Map.of("loss", 0.5, "auc", 0.9)),
                update("b", 6, Map.of("loss", 0.1)),
                update("c", 2, Map.of("loss", 0.3, "auc", 0.7)));

        // Execute
        Map<String, Double> avg = WeightedMetrics.average(updates);

        // Assert: loss (2*0.5 + 6*0.1 + 2*0.3) / 10 = 0.22; auc over a and c only, (2*0.9 + 2*0.7) / 4 = 0.8
        assertThat(avg.get("loss")).isCloseTo(0.22, within(1e-12));
        assertThat(avg.get("auc")).isCloseTo(0.8, within(1e-12));
    }

    @Test
    void nonFiniteValuesAreIgnored() {
        // Prepare
        List<ClientUpdate> updates = List.of(
                update("a", 1, Map.of("loss", 0.6)),
                update("b", 100, Map.of("loss", Double.NaN)),
                update("c", 3, Map.of("loss", 0.2)),
                update("d", 50, Map.of("loss", Double.POSITIVE_INFINITY)));

        // Execute
        Map<String, Double> avg = WeightedMetrics.average(updates);

        // Assert: only a and c count, (1*0.6 + 3*0.2) / 4 = 0.3
        assertThat(avg.get("loss")).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void metricWithOnlyNonFiniteValuesIsLeftOut() {
        // Prepare
        List<ClientUpdate> updates = List.of(
                update("a", 1, Map.of("loss", Double.NaN, "accuracy", 0.5)));

        // Execute
        Map<String, Double> avg = WeightedMetrics.average(updates);

        // Assert
        assertThat(avg).containsOnlyKeys("accuracy");
    }

    @Test
    void noMetricsGiveAnEmptyMap() {
        // Execute / Assert
        assertThat(WeightedMetrics.average(List.of(update("a", 1, Map.of())))).isEmpty();
        assertThat(WeightedMetrics.average(List.of())).isEmpty();
    }
}
