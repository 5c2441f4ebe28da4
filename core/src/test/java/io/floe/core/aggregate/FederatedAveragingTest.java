package io.floe.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FederatedAveragingTest {

    private static final Offset<Float> EPS = within(1e-6f);

    /** A delta with a 2x2 tensor W and a 1-element tensor b. */
    private static ClientUpdate update(String id, long n, float[] w, float b) {
        ModelWeights delta = new ModelWeights(List.of(
                new Tensor("W", new int[] {2, 2}, w),
                new Tensor("b", new int[] {1}, new float[] {b})));
        return new ClientUpdate(id, "client-" + id, 0L, n, 1, delta, Map.of());
    }

    private static List<ClientUpdate> threeClients() {
        return List.of(
                update("a", 1, new float[] {1f, 2f, 3f, 4f}, 10f),
                update("b", 2, new float[] {0f, -5f, 1f, 2f}, 20f),
                update("c", 7, new float[] {2f, 0f, -1f, 1f}, -10f));
    }

    @Test
    void weightsAreExampleShares() {
        // Execute
        AggregationResult result = new FederatedAveraging().aggregate(threeClients());

        // Assert: n = 1 + 2 + 7 = 10
        assertThat(result.weights()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 0.1, "b", 0.2, "c", 0.7));
    }

    @Test
    void deltaIsTheExampleWeightedMean() {
        // Execute
        ModelWeights delta = new FederatedAveraging().aggregate(threeClients()).delta();

        // Assert, coordinate by coordinate, 0.1 * a + 0.2 * b + 0.7 * c:
        //   W[0] = 0.1*1 + 0.2*0    + 0.7*2    =  1.5
        //   W[1] = 0.1*2 + 0.2*(-5) + 0.7*0    = -0.8
        //   W[2] = 0.1*3 + 0.2*1    + 0.7*(-1) = -0.2
        //   W[3] = 0.1*4 + 0.2*2    + 0.7*1    =  1.5
        //   b    = 0.1*10 + 0.2*20  + 0.7*(-10) = -2
        assertThat(delta.tensors()).extracting(Tensor::name).containsExactly("W", "b");
        assertThat(delta.get("W").shape()).containsExactly(2, 2);
        assertThat(delta.get("W").values()).containsExactly(new float[] {1.5f, -0.8f, -0.2f, 1.5f}, EPS);
        assertThat(delta.get("b").values()).containsExactly(new float[] {-2f}, EPS);
    }

    @Test
    void resultIsBitIdenticalForEveryArrivalOrder() {
        // Prepare: values whose double sums depend on the order they are added in
        Random random = new Random(11L);
        List<ClientUpdate> updates = new ArrayList<>();
        for (int k = 0; k < 7; k++) {
            float[] w = new float[4];
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            }
            updates.add(update("u-" + k, 1 + random.nextInt(1000), w, random.nextFloat()));
        }
        // +1e30, 1 and -1e30 with equal weights: 1 survives only if it is added after the big ones cancel
        updates.add(update("big+", 100, new float[] {1e30f, 0f, 0f, 0f}, 0f));
        updates.add(update("one", 100, new float[] {1f, 0f, 0f, 0f}, 0f));
        updates.add(update("big-", 100, new float[] {-1e30f, 0f, 0f, 0f}, 0f));
        AggregationResult reference = new FederatedAveraging().aggregate(updates);

        for (int trial = 0; trial < 50; trial++) {
            List<ClientUpdate> permuted = new ArrayList<>(updates);
            Collections.shuffle(permuted, random);

            // Execute
            AggregationResult result = new FederatedAveraging().aggregate(permuted);

            // Assert: ModelWeights equality compares float bits
            assertThat(result.delta()).isEqualTo(reference.delta());
            assertThat(result.weights()).isEqualTo(reference.weights());
        }
    }

    @Test
    void singleUpdateReturnsItsOwnDelta() {
        // Prepare
        ClientUpdate only = update("solo", 37, new float[] {0.1f, -3.3f, 7e-8f, 1e6f}, -0.5f);

        // Execute
        AggregationResult result = new FederatedAveraging().aggregate(List.of(only));

        // Assert
        assertThat(result.delta()).isEqualTo(only.delta());
        assertThat(result.weights()).containsExactlyEntriesOf(Map.of("solo", 1.0));
    }

    @Test
    void equalExampleCountsGiveThePlainMean() {
        // Prepare
        List<ClientUpdate> updates = List.of(
                update("a", 5, new float[] {1f, 0f, 0f, 0f}, 2f),
                update("b", 5, new float[] {3f, 0f, 0f, 4f}, 4f));

        // Execute
        ModelWeights delta = new FederatedAveraging().aggregate(updates).delta();

        // Assert
        assertThat(delta.get("W").values()).containsExactly(2f, 0f, 0f, 2f);
        assertThat(delta.get("b").values()).containsExactly(3f);
    }

    @Test
    void doesNotModifyTheInputDeltas() {
        // Prepare
        List<ClientUpdate> updates = threeClients();

        // Execute
        new FederatedAveraging().aggregate(updates);

        // Assert
        assertThat(updates.get(0).delta().get("W").values()).containsExactly(1f, 2f, 3f, 4f);
    }

    @Test
    void rejectsEmptyRound() {
        // Execute / Assert
        assertThatThrownBy(() -> new FederatedAveraging().aggregate(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one update");
    }

    @Test
    void nameIsFedavg() {
        // Execute / Assert
        assertThat(new FederatedAveraging().name()).isEqualTo("fedavg").isEqualTo(FederatedAveraging.NAME);
    }
}
