package io.floe.core.aggregate;

import static io.floe.core.aggregate.RoundFixtures.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExampleCountCapTest {

    private static List<ClientUpdate> oneGreedyClient() {
        return List.of(vector("a", 10, 1f), vector("b", 20, 1f), vector("c", 30, 1f), vector("greedy", 1_000_000, 9f));
    }

    @Test
    void fixedCapLimitsClaimedCounts() {
        // Prepare
        List<ClientUpdate> updates = oneGreedyClient();

        // Execute
        ExampleCountCap.Capped capped = ExampleCountCap.fixed(25).apply(updates);

        // Assert
        assertThat(capped.cap()).isEqualTo(25);
        assertThat(capped.updates()).extracting(ClientUpdate::numExamples).containsExactly(10L, 20L, 25L, 25L);
        assertThat(capped.reported()).containsExactlyEntriesOf(orderedCounts("c", 30L, "greedy", 1_000_000L));
        assertThat(capped.updates().get(0)).isSameAs(updates.get(0));
        assertThat(capped.updates().get(3).delta()).isSameAs(updates.get(3).delta());
    }

    @Test
    void multipleOfMedianStopsOneClientFromTakingTheFedAvgWeight() {
        // Prepare: median of {10, 20, 30, 1e6} = 25, cap = 2 x 25 = 50
        ExampleCountCap.Capped capped = ExampleCountCap.multipleOfMedian(2).apply(oneGreedyClient());

        // Execute
        AggregationResult avg = new FederatedAveraging().aggregate(capped.updates());

        // Assert: weights 10/110, 20/110, 30/110, 50/110 instead of ~1 for greedy
        assertThat(capped.cap()).isEqualTo(50);
        assertThat(avg.weights()).containsEntry("greedy", 50.0 / 110).containsEntry("a", 10.0 / 110);
    }

    @Test
    void medianCapIsAtLeastOneAndUsesTheDecimalMultiple() {
        // Execute / Assert: 1.1 x 100 is 110.00000000000001 in binary, 0.01 x 10 floors to 0 -> 1
        assertThat(ExampleCountCap.multipleOfMedian(1.1).capFor(List.of(vector("a", 100, 0f)))).isEqualTo(110);
        assertThat(ExampleCountCap.multipleOfMedian(0.01).capFor(List.of(vector("a", 10, 0f)))).isEqualTo(1);
        assertThat(ExampleCountCap.multipleOfMedian(1.5).capFor(List.of(vector("a", 3, 0f), vector("b", 4, 0f))))
                .isEqualTo(5); // 1.5 x 3.5 = 5.25
    }

    @Test
    void configNamesMapToCaps() {
        // Execute / Assert
        assertThat(ExampleCountCap.fromConfig("none", 0)).isEmpty();
        assertThat(ExampleCountCap.fromConfig("fixed", 100).orElseThrow().capFor(List.of())).isEqualTo(100);
        assertThat(ExampleCountCap.fromConfig("median-multiple", 3).orElseThrow()
                .capFor(List.of(vector("a", 10, 0f)))).isEqualTo(30);
        assertThatThrownBy(() -> ExampleCountCap.fromConfig("fixed", 2.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> ExampleCountCap.fromConfig("fixed", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example cap must be >= 1");
        assertThatThrownBy(() -> ExampleCountCap.fromConfig("median-multiple", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive and finite");
        assertThatThrownBy(() -> ExampleCountCap.fromConfig("max", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown exampleCap 'max'; known: none, fixed, median-multiple");
    }

    private static Map<String, Long> orderedCounts(String k1, long v1, String k2, long v2) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
