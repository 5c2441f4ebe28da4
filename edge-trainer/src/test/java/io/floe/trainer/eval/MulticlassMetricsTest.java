package io.floe.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MulticlassMetricsTest {

    @Test
    void lossIsTheMeanNegativeLogOfTheLabelsProbability() {
        // row 0: label 0, p = 0.5 -> -ln 0.5; argmax 0, right
        // row 1: label 2, p = 0.25 -> -ln 0.25; argmax 1, wrong
        // row 2: label 1, p = 0.8 -> -ln 0.8; argmax 1, right
        int[] labels = {0, 2, 1};
        float[] p = {
            0.5f, 0.3f, 0.2f,
            0.25f, 0.5f, 0.25f,
            0.1f, 0.8f, 0.1f};

        MulticlassMetrics m = MulticlassMetrics.of(labels, p, 3);

        double expected = -(Math.log(0.5) + Math.log(0.25) + Math.log(0.8f)) / 3;
        assertThat(m.logLoss()).isCloseTo(expected, within(1e-12));
        assertThat(m.accuracy()).isEqualTo(2.0 / 3);
        assertThat(m.examples()).isEqualTo(3);
    }

    @Test
    void tiesGoToTheFirstClassAndZeroProbabilityStaysFinite() {
        // row 0: 0.5/0.5 tie -> class 0 = label, right; row 1: label 1 has p = 0 -> clipped to 1e-7
        int[] labels = {0, 1};
        float[] p = {0.5f, 0.5f, 1f, 0f};

        MulticlassMetrics m = MulticlassMetrics.of(labels, p, 2);

        assertThat(m.accuracy()).isEqualTo(0.5);
        assertThat(m.logLoss()).isCloseTo((-Math.log(0.5) - Math.log(1e-7)) / 2, within(1e-9));
    }

    @Test
    void noRowsGiveNaN() {
        MulticlassMetrics m = MulticlassMetrics.of(new int[0], new float[0], 4);

        assertThat(m.logLoss()).isNaN();
        assertThat(m.accuracy()).isNaN();
        assertThat(m.examples()).isZero();
    }

    @Test
    void malformedInputIsRefusedWithTheReason() {
        assertThatThrownBy(() -> MulticlassMetrics.of(new int[] {0}, new float[] {0.5f, 0.5f}, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 3 probabilities, got 2");
        assertThatThrownBy(() -> MulticlassMetrics.of(new int[] {3}, new float[] {0.2f, 0.3f, 0.5f}, 3))
                .hasMessageContaining("label 3 at row 0 is not in [0, 3)");
        assertThatThrownBy(() -> MulticlassMetrics.of(new int[] {0}, new float[] {1f}, 1))
                .hasMessageContaining("K >= 2");
        assertThatThrownBy(() -> MulticlassMetrics.of(new int[] {0}, new float[] {Float.NaN, 1f}, 2))
                .hasMessageContaining("NaN");
    }
}
