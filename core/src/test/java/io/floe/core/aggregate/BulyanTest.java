package io.floe.core.aggregate;

import static io.floe.core.aggregate.RoundFixtures.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bulyan (El Mhamdi et al. 2018) by hand, and against what Flower's {@code aggregate_bulyan} (with
 * {@code aggregate_krum}, flwr's {@code server/strategy/aggregate.py}) returns on the same inputs.
 */
class BulyanTest {

    /**
     * Seven updates of two coordinates, f = 1: θ = 5, β = 3. Five honest points near the origin and
     * two outliers; numExamples differ wildly, and Bulyan must not care.
     */
    private static List<ClientUpdate> sevenWithTwoOutliers() {
        return List.of(vector("u1", 1, 0f, 0.5f), vector("u2", 5, 1f, 1.25f), vector("u3", 2, 2f, 0f),
                vector("u4", 9, 3.5f, 2f), vector("u5", 3, 4f, 1f), vector("u6", 1000, 100f, 100f),
                vector("u7", 500, -50f, 60f));
    }

    @Test
    void matchesFlowersBulyanOnTheSameUpdates() {
        // Flower's aggregate_bulyan(results, num_malicious=1, aggregation_rule=aggregate_krum, to_keep=0) on these
        // vectors (float32, run with numpy 2.4) returned [2.1666667461395264, 0.9166666865348816] and chose
        // u3, u2, u4, u1, u5. By hand: coordinate 0 of the chosen is {2, 1, 3.5, 0, 4}, median 2, the three
        // closest 2, 1, 3.5, mean 6.5 / 3; coordinate 1 is {0, 1.25, 2, 0.5, 1}, median 1, closest 1, 1.25, 0.5,
        // mean 2.75 / 3.
        AggregationResult result = new Bulyan(1).aggregate(sevenWithTwoOutliers());

        assertThat(result.delta().flatten()).containsExactly((float) (6.5 / 3), (float) (2.75 / 3));
        assertThat(result.delta().flatten()).containsExactly(2.1666667461395264f, 0.9166666865348816f);
        assertThat(result.weights()).containsEntry("u6", 0.0).containsEntry("u7", 0.0)
                .containsEntry("u1", 0.2).containsEntry("u5", 0.2);
    }

    @Test
    void krumChoosesThetaUpdatesOneAfterAnotherAmongThoseLeft() {
        // Integer points u1 (0,0) u2 (1,1) u3 (2,0) u4 (3,2) u5 (4,1) u6 (100,100) u7 (-50,60), f = 1.
        // Step 1, K' = 7, 4 neighbours: u1's squared distances to u2..u5 are 2, 4, 13, 17: 36; u2: 2+2+5+9 = 18; u3: 4+2+5+5 = 16 (lowest); u4 13+5+5+2 = 25;
        // u5 17+9+5+2 = 33. Step 2 without u3, K' = 6, 3 neighbours: u1 2+13+17 = 32, u2 2+5+9 = 16 (lowest),
        // u4 13+5+2 = 20, u5 17+9+2 = 28. Step 3, K' = 5, 2 neighbours: u1 13+17 = 30, u4 13+2 = 15 (lowest),
        // u5 17+2 = 19. Step 4, K' = 4, max(1, 1) = 1 neighbour: u1 17, u5 17: a tie, the smaller updateId u1.
        // Step 5, K' = 3, 1 neighbour: u5 to u7 6397, u6 to u5 19017, u7 to u5 6397: a tie, u5.
        // (Flower chose the same: argmin takes the first of equal scores.)
        List<ClientUpdate> updates = List.of(vector("u1", 1, 0f, 0f), vector("u2", 1, 1f, 1f), vector("u3", 1, 2f, 0f),
                vector("u4", 1, 3f, 2f), vector("u5", 1, 4f, 1f), vector("u6", 1, 100f, 100f), vector("u7", 1, -50f, 60f));

        List<Integer> chosen = new Bulyan(1).chooseByKrum(KrumScores.squaredDistances(SortedRound.of(updates, "test")), 5);

        assertThat(chosen).containsExactly(2, 1, 3, 0, 4);
    }

    @Test
    void ofTwoValuesEquallyFarFromTheMedianTheSmallerIsTakenFirst() {
        // Coordinate values {0, 0, 1, 1, 2} (θ = 5), median 1; the
        // closest are 1, 1 and then one of 0, 0, 2 (all at distance 1): the smaller, 0. Mean 2 / 3.
        // Flower's np.argpartition may take either; on the same points it took 2 (mean 4 / 3).
        float[] column = {1f, 0f, 2f, 0f, 1f};

        assertThat(Bulyan.meanOfClosestToMedian(column, 3)).isEqualTo((float) (2.0 / 3));
        assertThat(Bulyan.meanOfClosestToMedian(new float[] {5f, -1f, 3f, 4f}, 2)).as("even count: median 3.5, closest 3, 4")
                .isEqualTo(3.5f);
    }

    @Test
    void withNoByzantineClientsItIsTheUnweightedMean() {
        List<ClientUpdate> updates = List.of(vector("a", 1, 1f), vector("b", 100, 2f), vector("c", 1, 6f));

        AggregationResult result = new Bulyan(0).aggregate(updates);

        assertThat(result.delta().flatten()).containsExactly(3f);
    }

    @Test
    void theResultDoesNotDependOnArrivalOrder() {
        float[] expected = new Bulyan(1).aggregate(sevenWithTwoOutliers()).delta().flatten();

        for (List<ClientUpdate> shuffled : RoundFixtures.shuffles(sevenWithTwoOutliers(), 20)) {
            assertThat(new Bulyan(1).aggregate(shuffled).delta().flatten()).containsExactly(expected);
        }
    }

    @Test
    void fewerThanFourFPlusThreeUpdatesIsRefusedWithTheReason() {
        List<ClientUpdate> six = sevenWithTwoOutliers().subList(0, 6);

        assertThatThrownBy(() -> new Bulyan(1).aggregate(six)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs at least 4f + 3 = 7 updates").hasMessageContaining("got 6");
        assertThat(AggregationRules.create("BULYAN", new RuleParameters(0, 1, 0))).isInstanceOf(Bulyan.class);
    }
}
