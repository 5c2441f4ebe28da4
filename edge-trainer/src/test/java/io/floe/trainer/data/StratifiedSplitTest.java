package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {
    /** Rows 0..9; rows 0-5 are class 0, rows 6-9 class 1; feature 0 is the row number. */
    private static Dataset tenRows() {
        float[][] x = new float[10][];
        int[] y = new int[10];
        for (int i = 0; i < 10; i++) {
            x[i] = new float[] {i};
            y[i] = i < 6 ? 0 : 1;
        }
        return new Dataset(x, y);
    }

    @Test
    void holdsOutTheRoundedShareOfEveryClass() {
        // round(0.5 * 6) = 3 of class 0, round(0.5 * 4) = 2 of class 1
        StratifiedSplit split = StratifiedSplit.of(tenRows(), 0.5, 7L);

        assertThat(split.holdout().classCounts()).containsExactly(3, 2);
        assertThat(split.train().classCounts()).containsExactly(3, 2);
    }

    @Test
    void everyRowLandsInExactlyOnePart() {
        StratifiedSplit split = StratifiedSplit.of(tenRows(), 0.3, 7L);

        int[] all = IntStream.concat(Arrays.stream(split.trainRows()), Arrays.stream(split.holdoutRows()))
                .sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, 10).toArray());
        // the datasets hold exactly those rows, in ascending order
        for (int k = 0; k < split.holdout().size(); k++) {
            assertThat(split.holdout().feature(k, 0)).isEqualTo((float) split.holdoutRows()[k]);
        }
        assertThat(split.holdoutRows()).isSorted();
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        Dataset data = tenRows();

        int[] seed3 = StratifiedSplit.of(data, 0.5, 3L).holdoutRows();

        assertThat(StratifiedSplit.of(data, 0.5, 3L).holdoutRows()).containsExactly(seed3);
        boolean anyDifferent = IntStream.range(4, 20)
                .anyMatch(s -> !Arrays.equals(StratifiedSplit.of(data, 0.5, s).holdoutRows(), seed3));
        assertThat(anyDifferent).isTrue();
    }

    @Test
    void zeroFractionHoldsOutNothing() {
        assertThat(StratifiedSplit.of(tenRows(), 0.0, 1L).holdout().size()).isZero();
    }

    @Test
    void rejectsFractionOutsideTheUnitInterval() {
        assertThatThrownBy(() -> StratifiedSplit.of(tenRows(), 1.0, 1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> StratifiedSplit.of(tenRows(), Double.NaN, 1L))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
