package io.floe.core.aggregate;

import static io.floe.core.aggregate.RoundFixtures.fiveWithOutlier;
import static io.floe.core.aggregate.RoundFixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoordinateWiseMedianTest {

    @Test
    void medianPerCoordinateIgnoresTheOutlier() {
        // Execute
        AggregationResult result = new CoordinateWiseMedian().aggregate(fiveWithOutlier());

        // Assert, coordinate by coordinate over a, b, c, d, e:
        //   W[0]: {1, 2, 3, 4, -100} -> 2    W[1]: {2, 2, 1, 3, 100} -> 2
        //   W[2]: {0, 1, -1, 0, 50}  -> 0    W[3]: {-1, -2, -3, -4, 90} -> -2
        //   b:    {0.5, 0.25, 0, 1, -20} -> 0.25
        ModelWeights delta = result.delta();
        assertThat(delta.tensors()).extracting(Tensor::name).containsExactly("W", "b");
        assertThat(delta.get("W").shape()).containsExactly(2, 2);
        assertThat(delta.get("W").values()).containsExactly(2f, 2f, 0f, -2f);
        assertThat(delta.get("b").values()).containsExactly(0.25f);
    }

    @Test
    void everyUpdateWeighsOneOverK() {
        // Execute
        AggregationResult result = new CoordinateWiseMedian().aggregate(fiveWithOutlier());

        // Assert: unweighted, whatever numExamples claims
        assertThat(result.weights()).containsExactlyInAnyOrderEntriesOf(
                Map.of("a", 0.2, "b", 0.2, "c", 0.2, "d", 0.2, "e", 0.2));
    }

    @Test
    void evenCountAveragesTheTwoMiddleValues() {
        // Prepare
        List<ClientUpdate> updates = List.of(
                update("a", 1, new float[] {1f, 0f, 0f, -0.0f}, 1f),
                update("b", 1, new float[] {2f, 0f, 0f, 0.0f}, 2f),
                update("c", 1, new float[] {10f, 0f, 0f, -0.0f}, 4f),
                update("d", 1, new float[] {20f, 1f, 0f, 0.0f}, 8f));

        // Execute
        ModelWeights delta = new CoordinateWiseMedian().aggregate(updates).delta();

        // Assert: (2 + 10) / 2, (0 + 0) / 2, ..., (-0 + 0) / 2 = 0, (2 + 4) / 2
        assertThat(delta.get("W").values()).containsExactly(6f, 0f, 0f, 0f);
        assertThat(Float.floatToRawIntBits(delta.get("W").values()[3])).isZero();
        assertThat(delta.get("b").values()).containsExactly(3f);
    }

    @Test
    void resultDoesNotDependOnArrivalOrder() {
        // Prepare
        AggregationResult reference = new CoordinateWiseMedian().aggregate(fiveWithOutlier());

        for (List<ClientUpdate> order : RoundFixtures.shuffles(fiveWithOutlier(), 20)) {
            // Execute
            AggregationResult result = new CoordinateWiseMedian().aggregate(order);

            // Assert
            assertThat(result.delta()).isEqualTo(reference.delta());
            assertThat(result.weights()).isEqualTo(reference.weights());
        }
    }

    @Test
    void rejectsEmptyRoundsAndMixedLayouts() {
        // Prepare
        ClientUpdate other = RoundFixtures.vector("z", 1, 1f, 2f);

        // Execute / Assert
        assertThatThrownBy(() -> new CoordinateWiseMedian().aggregate(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("median needs at least one update");
        assertThatThrownBy(() -> new CoordinateWiseMedian().aggregate(List.of(fiveWithOutlier().get(0), other)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("update 'z' has tensors [v[2]] but update 'a' has [W[2, 2], b[1]]");
    }

    @Test
    void nameIsMedian() {
        // Execute / Assert
        assertThat(new CoordinateWiseMedian().name()).isEqualTo("median");
    }
}
