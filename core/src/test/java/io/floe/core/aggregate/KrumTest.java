package io.floe.core.aggregate;

import static io.floe.core.aggregate.RoundFixtures.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KrumTest {

    /**
     * Points 0, 1, 2, 3 and 100 on a line. Squared distances: a-b 1, a-c 4, a-d 9, b-c 1, b-d 4,
     * c-d 1, and to e: 10000, 9801, 9604, 9409. With f = 1 each score adds the K - f - 2 = 2
     * nearest: a 1+4 = 5, b 1+1 = 2, c 1+1 = 2, d 1+4 = 5, e 9409+9604 = 19013.
     */
    private static List<ClientUpdate> line() {
        return List.of(vector("a", 10, 0f), vector("b", 20, 1f), vector("c", 30, 2f), vector("d", 40, 3f),
                vector("e", 1000, 100f));
    }

    @Test
    void scoresSumTheNearestNeighbours() {
        // Execute / Assert
        assertThat(KrumScores.byUpdateId(line(), 1)).containsExactlyEntriesOf(
                orderedMap("a", 5.0, "b", 2.0, "c", 2.0, "d", 5.0, "e", 19013.0));
    }

    @Test
    void scoresAddTheDistancesOfAllTensors() {
        // Prepare: tensors x and y are the two coordinates of a(0,0), b(3,4), c(0,1), d(6,8);
        //   squared distances a-b 25, a-c 1, a-d 100, b-c 18, b-d 25, c-d 85
        List<ClientUpdate> updates = List.of(xy("a", 0, 0), xy("b", 3, 4), xy("c", 0, 1), xy("d", 6, 8));

        // Execute: f = 0, K - f - 2 = 2 neighbours each
        Map<String, Double> scores = KrumScores.byUpdateId(updates, 0);

        // Assert
        assertThat(scores).containsExactlyEntriesOf(orderedMap("a", 26.0, "b", 43.0, "c", 19.0, "d", 110.0));
    }

    @Test
    void krumPicksTheLowestScoreAndBreaksTiesByUpdateId() {
        // Execute: b and c both score 2
        AggregationResult result = new Krum(1).aggregate(line());

        // Assert
        assertThat(result.delta().get("v").values()).containsExactly(1f);
        assertThat(result.weights()).containsExactlyInAnyOrderEntriesOf(
                Map.of("a", 0.0, "b", 1.0, "c", 0.0, "d", 0.0, "e", 0.0));
    }

    @Test
    void krumReturnsACopyOfTheChosenDelta() {
        // Prepare
        List<ClientUpdate> updates = line();

        // Execute
        AggregationResult result = new Krum(1).aggregate(updates);

        // Assert
        assertThat(result.delta()).isEqualTo(updates.get(1).delta());
        assertThat(result.delta().get("v").values()).isNotSameAs(updates.get(1).delta().get("v").values());
    }

    @Test
    void multiKrumAveragesTheBestMByExamples() {
        // Execute: m = 3 selects b (2), c (2) and a (5, tied with d, smaller id)
        AggregationResult result = new MultiKrum(1, 3).aggregate(line());

        // Assert: n = 10 + 20 + 30; delta = (10*0 + 20*1 + 30*2) / 60 = 4/3
        assertThat(result.delta().get("v").values()[0]).isCloseTo(4f / 3, within(1e-6f));
        assertThat(result.weights()).containsEntry("a", 10.0 / 60).containsEntry("b", 20.0 / 60)
                .containsEntry("c", 30.0 / 60).containsEntry("d", 0.0).containsEntry("e", 0.0);
    }

    @Test
    void multiKrumWithZeroSelectionKeepsKMinusF() {
        // Execute: m = K - f = 4 drops only e
        AggregationResult result = new MultiKrum(1, 0).aggregate(line());

        // Assert: (10*0 + 20*1 + 30*2 + 40*3) / 100 = 2
        assertThat(result.delta().get("v").values()[0]).isCloseTo(2f, within(1e-6f));
        assertThat(result.weights()).containsEntry("e", 0.0).containsEntry("d", 0.4);
        assertThat(new MultiKrum(1, 0).selectedOf(5)).isEqualTo(4);
    }

    @Test
    void multiKrumOfOneIsKrum() {
        // Execute / Assert
        assertThat(new MultiKrum(1, 1).aggregate(line()).delta()).isEqualTo(new Krum(1).aggregate(line()).delta());
    }

    @Test
    void resultDoesNotDependOnArrivalOrder() {
        // Prepare
        AggregationResult krum = new Krum(1).aggregate(line());
        AggregationResult multi = new MultiKrum(1, 3).aggregate(line());

        for (List<ClientUpdate> order : RoundFixtures.shuffles(line(), 20)) {
            // Execute / Assert
            assertThat(new Krum(1).aggregate(order)).isEqualTo(krum);
            assertThat(new MultiKrum(1, 3).aggregate(order)).isEqualTo(multi);
        }
    }

    @Test
    void needsMoreThanTwoFPlusTwoUpdates() {
        // Prepare
        List<ClientUpdate> four = line().subList(0, 4);

        // Execute / Assert
        assertThatThrownBy(() -> new Krum(1).aggregate(four)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("krum with f = 1 Byzantine clients needs more than 2f + 2 = 4 updates, got 4");
        assertThatThrownBy(() -> new MultiKrum(2, 0).aggregate(line())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multi-krum with f = 2 Byzantine clients needs more than 2f + 2 = 6 updates, got 5");
        // f = 0 needs K > 2: a, b, c each have a neighbour at distance 1, the tie goes to a
        assertThat(new Krum(0).aggregate(line().subList(0, 3)).delta().get("v").values()).containsExactly(0f);
    }

    @Test
    void rejectsBadParameters() {
        // Execute / Assert
        assertThatThrownBy(() -> new Krum(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("f must be >= 0");
        assertThatThrownBy(() -> new MultiKrum(1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m must be >= 0");
        assertThatThrownBy(() -> new MultiKrum(1, 6).aggregate(line())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m = 6 exceeds the 5 updates");
        assertThatThrownBy(() -> KrumScores.of(new double[3][3], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("K - f - 2 must be >= 1");
    }

    @Test
    void namesAreKrumAndMultiKrum() {
        // Execute / Assert
        assertThat(new Krum(1).name()).isEqualTo("krum");
        assertThat(new MultiKrum(1, 0).name()).isEqualTo("multi-krum");
    }

    private static ClientUpdate xy(String id, float x, float y) {
        ModelWeights delta = new ModelWeights(List.of(new Tensor("x", new int[] {1}, new float[] {x}),
                new Tensor("y", new int[] {1}, new float[] {y})));
        return new ClientUpdate(id, "client-" + id, 0L, 1, 1, delta, Map.of());
    }

    private static Map<String, Double> orderedMap(Object... kv) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return m;
    }
}
