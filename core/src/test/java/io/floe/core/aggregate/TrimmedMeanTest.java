package io.floe.core.aggregate;

import static io.floe.core.aggregate.RoundFixtures.fiveWithOutlier;
import static io.floe.core.aggregate.RoundFixtures.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.tensor.ModelWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrimmedMeanTest {

    @Test
    void trimsTheLargestAndSmallestValuePerCoordinate() {
        // Execute: beta = 0.2 of K = 5 trims b = 1 at each end
        ModelWeights delta = new TrimmedMean(0.2).aggregate(fiveWithOutlier()).delta();

        // Assert, mean of the middle three of a, b, c, d, e:
        //   W[0]: {-100, 1, 2, 3, 4} -> (1+2+3)/3 = 2      W[1]: {1, 2, 2, 3, 100} -> 7/3
        //   W[2]: {-1, 0, 0, 1, 50}  -> 1/3                W[3]: {-4, -3, -2, -1, 90} -> -2
        //   b:    {-20, 0, 0.25, 0.5, 1} -> 0.75/3 = 0.25
        assertThat(delta.get("W").values()).containsExactly(2f, (float) (7.0 / 3), (float) (1.0 / 3), -2f);
        assertThat(delta.get("b").values()).containsExactly(0.25f);
    }

    @Test
    void betaZeroIsThePlainUnweightedMean() {
        // Prepare
        List<ClientUpdate> updates = List.of(vector("a", 1, 1f, 10f), vector("b", 100, 2f, 20f), vector("c", 5, 6f, -3f));

        // Execute
        AggregationResult result = new TrimmedMean(0).aggregate(updates);

        // Assert
        assertThat(result.delta().get("v").values()).containsExactly(3f, 9f);
        assertThat(result.weights()).containsEntry("b", 1.0 / 3);
    }

    @Test
    void trimCountIsTheFloorOfTheDecimalBetaTimesK() {
        // Execute / Assert
        assertThat(new TrimmedMean(0.1).trimmedPerSide(10)).isEqualTo(1);
        assertThat(new TrimmedMean(0.1).trimmedPerSide(9)).isZero();
        assertThat(new TrimmedMean(0.29).trimmedPerSide(100)).isEqualTo(29); // 0.29 * 100 = 28.999999999999996 in binary
        assertThat(new TrimmedMean(0.49).trimmedPerSide(3)).isEqualTo(1);
    }

    @Test
    void tooFewUpdatesToTrimFallBackToNoTrim() {
        // Prepare: beta = 0.3 of K = 2 trims floor(0.6) = 0
        List<ClientUpdate> updates = List.of(vector("a", 1, 1f), vector("b", 1, 4f));

        // Execute / Assert
        assertThat(new TrimmedMean(0.3).aggregate(updates).delta().get("v").values()).containsExactly(2.5f);
    }

    @Test
    void resultDoesNotDependOnArrivalOrder() {
        // Prepare
        AggregationResult reference = new TrimmedMean(0.2).aggregate(fiveWithOutlier());

        for (List<ClientUpdate> order : RoundFixtures.shuffles(fiveWithOutlier(), 20)) {
            // Execute / Assert
            assertThat(new TrimmedMean(0.2).aggregate(order).delta()).isEqualTo(reference.delta());
        }
    }

    @Test
    void rejectsBetaOutsideTheUnitHalfInterval() {
        // Execute / Assert
        for (double beta : new double[] {-0.01, 0.5, 0.7, Double.NaN}) {
            assertThatThrownBy(() -> new TrimmedMean(beta)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("trimFraction beta must be in [0, 0.5), was " + beta);
        }
    }

    @Test
    void nameIsTrimmedMean() {
        // Execute / Assert
        assertThat(new TrimmedMean(0.1).name()).isEqualTo("trimmed-mean");
        assertThat(new TrimmedMean(0.1).beta()).isEqualTo(0.1);
    }
}
