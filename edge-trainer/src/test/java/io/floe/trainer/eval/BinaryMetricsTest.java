package io.floe.trainer.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void aucCountsCorrectlyOrderedPairs() {
        // ranks: 0.1 -> 1 (neg), 0.35 -> 2 (pos), 0.4 -> 3 (neg), 0.8 -> 4 (pos)
        // R1 = 6, AUC = (6 - 2*3/2) / (2*2) = 0.75
        int[] labels = {0, 0, 1, 1};
        float[] scores = {0.1f, 0.4f, 0.35f, 0.8f};

        assertThat(BinaryMetrics.auc(labels, scores)).isEqualTo(0.75);
    }

    @Test
    void tiedScoresShareTheirAverageRank() {
        // 0.2 (neg) rank 1; 0.5 (neg), 0.5 (pos) share rank 2.5; 0.9 (pos) rank 4
        // R1 = 2.5 + 4 = 6.5, AUC = (6.5 - 3) / 4 = 0.875: pairs 0.5/0.5 = 1/2, the other three = 1
        int[] labels = {0, 1, 0, 1};
        float[] scores = {0.5f, 0.5f, 0.2f, 0.9f};

        assertThat(BinaryMetrics.auc(labels, scores)).isEqualTo(0.875);
    }

    @Test
    void allScoresTiedGiveOneHalf() {
        assertThat(BinaryMetrics.auc(new int[] {1, 0, 0, 1, 0}, new float[] {0.3f, 0.3f, 0.3f, 0.3f, 0.3f}))
                .isEqualTo(0.5);
    }

    @Test
    void perfectAndInvertedRankings() {
        int[] labels = {0, 1, 0, 1};

        assertThat(BinaryMetrics.auc(labels, new float[] {0.1f, 0.9f, 0.2f, 0.8f})).isEqualTo(1.0);
        assertThat(BinaryMetrics.auc(labels, new float[] {0.9f, 0.1f, 0.8f, 0.2f})).isEqualTo(0.0);
    }

    @Test
    void aucIsUndefinedForOneClass() {
        assertThat(BinaryMetrics.auc(new int[] {1, 1, 1}, new float[] {0.2f, 0.5f, 0.9f})).isNaN();
        assertThat(BinaryMetrics.auc(new int[] {0, 0}, new float[] {0.2f, 0.5f})).isNaN();
        assertThat(BinaryMetrics.auc(new int[0], new float[0])).isNaN();
    }

    @Test
    void logLossIsMeanCrossEntropy() {
        // -(ln 0.8 + ln(1 - 0.4)) / 2 = (0.2231435513 + 0.5108256238) / 2
        double loss = BinaryMetrics.logLoss(new int[] {1, 0}, new float[] {0.8f, 0.4f});

        assertThat(loss).isCloseTo(0.36698458755, within(1e-7));
    }

    @Test
    void logLossClipsCertainMistakes() {
        // p = 0 for a positive is clipped to 1e-7: -ln(1e-7) = 16.118095650958317
        assertThat(BinaryMetrics.logLoss(new int[] {1}, new float[] {0f})).isCloseTo(16.118095651, within(1e-6));
        assertThat(BinaryMetrics.logLoss(new int[] {0}, new float[] {1f})).isCloseTo(16.118095651, within(1e-6));
    }

    @Test
    void accuracyPredictsClassOneFromOneHalf() {
        // 0.5 -> class 1: row 0 right, row 1 wrong; 0.2 -> class 0: row 2 wrong, row 3 right
        int[] labels = {1, 0, 1, 0};
        float[] probabilities = {0.5f, 0.5f, 0.2f, 0.1f};

        assertThat(BinaryMetrics.accuracy(labels, probabilities)).isEqualTo(0.5);
    }

    @Test
    void ofBundlesAllScores() {
        BinaryMetrics m = BinaryMetrics.of(new int[] {0, 0, 1, 1}, new float[] {0.1f, 0.4f, 0.35f, 0.8f});

        assertThat(m.examples()).isEqualTo(4);
        assertThat(m.auc()).isEqualTo(0.75);
        assertThat(m.accuracy()).isEqualTo(0.75); // 0.35 is the only row on the wrong side
        assertThat(m.logLoss()).isCloseTo(
                -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, within(1e-6));
    }

    @Test
    void rejectsMismatchedOrInvalidInput() {
        assertThatThrownBy(() -> BinaryMetrics.auc(new int[] {0, 1}, new float[] {0.5f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 labels but 1 scores");
        assertThatThrownBy(() -> BinaryMetrics.auc(new int[] {0, 2}, new float[] {0.5f, 0.5f}))
                .hasMessageContaining("label 2 at row 1 is not 0 or 1");
        assertThatThrownBy(() -> BinaryMetrics.logLoss(new int[] {0}, new float[] {Float.NaN}))
                .hasMessageContaining("NaN");
    }
}
