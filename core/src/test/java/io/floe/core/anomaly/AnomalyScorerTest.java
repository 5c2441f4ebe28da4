package io.floe.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnomalyScorerTest {

    private static ClientUpdate u(String id, int steps, float... v) {
        return new ClientUpdate(id, "client-" + id, 0, 10, steps, new ModelWeights(List.of(new Tensor("w", new int[] {v.length}, v))),
                Map.of());
    }

    @Test
    void robustZUsesMedianAndScaledMad() {
        // values 1,2,3,4,100: median 3, |dev| = 2,1,0,1,97 -> MAD 1; z = (x - 3) / 1.4826
        double[] z = AnomalyScorer.robustZ(new double[] {1, 2, 3, 4, 100});
        assertThat(z[0]).isCloseTo(-2 / 1.4826, within(1e-12));
        assertThat(z[2]).isEqualTo(0.0);
        assertThat(z[4]).isCloseTo(97 / 1.4826, within(1e-9));
    }

    @Test
    void allEqualValuesScoreZeroAndAnOutlierAmongEqualsScoresHuge() {
        assertThat(AnomalyScorer.robustZ(new double[] {2, 2, 2})).containsOnly(0.0);
        double[] z = AnomalyScorer.robustZ(new double[] {2, 2, 2, 2, 5});
        assertThat(z[4]).isGreaterThan(1e6);
    }

    @Test
    void scoresNormPerStepCosineToMedianAndKrum() {
        // Three honest updates along (1, 0) and one sign-flipped (-1, 0) boosted x10.
        List<ClientUpdate> updates = List.of(u("a", 1, 1f, 0f), u("b", 1, 1.1f, 0.1f), u("c", 1, 0.9f, -0.1f),
                u("d", 1, -10f, 0f));
        List<UpdateScores> s = AnomalyScorer.score(updates, 1);

        assertThat(s).extracting(UpdateScores::updateId).containsExactly("a", "b", "c", "d");
        // coordinate-wise median of x: (0.9, 1.0) -> 0.95; of y: (0, 0) -> 0.0
        assertThat(s.get(0).cosineToMedian()).isCloseTo(1.0, within(1e-6));
        assertThat(s.get(3).cosineToMedian()).isCloseTo(-1.0, within(1e-6));
        assertThat(s.get(3).l2Norm()).isCloseTo(10.0, within(1e-6));
        assertThat(s.get(3).normZ()).isGreaterThan(3.5);
        // Krum with f = 1, K = 4: 4 - 1 - 2 = 1 nearest neighbour. a's nearest is b or c: |(0.1, 0.1)|^2 = 0.02.
        assertThat(s.get(0).krumScore()).isCloseTo(0.02, within(1e-6));
        // d's nearest is c: (-10.9)^2 + 0.1^2
        assertThat(s.get(3).krumScore()).isCloseTo(10.9 * 10.9 + 0.01, within(1e-4));
    }

    @Test
    void normsAreComparedPerLocalStep() {
        // b's delta is 4x longer but it took 4x the steps: not an outlier per step
        List<ClientUpdate> updates = List.of(u("a", 1, 1f), u("b", 4, 4f), u("c", 1, 1.1f), u("d", 1, 0.9f), u("e", 1, 1f));
        List<UpdateScores> s = AnomalyScorer.score(updates, 1);
        assertThat(s.get(1).l2Norm()).isCloseTo(4.0, within(1e-6));
        assertThat(Math.abs(s.get(1).normZ())).isLessThan(1.0);
    }

    @Test
    void withoutKrumTheOtherScoresAreTheSameAndTensorsScoreAsTheirConcatenation() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        List<ClientUpdate> split = new java.util.ArrayList<>();
        List<ClientUpdate> whole = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            float[] w = new float[300];
            float[] b = new float[17];
            float[] all = new float[317];
            for (int j = 0; j < 317; j++) {
                all[j] = (float) ((rnd.nextGaussian() * 0.5 + 0.3) * (i == 3 ? -4 : 1));
            }
            System.arraycopy(all, 0, w, 0, 300);
            System.arraycopy(all, 300, b, 0, 17);
            split.add(new ClientUpdate("u" + i, "c" + i, 0, 10, 1 + i % 3,
                    new ModelWeights(List.of(new Tensor("w", new int[] {20, 15}, w), new Tensor("b", new int[] {17}, b))), Map.of()));
            whole.add(new ClientUpdate("u" + i, "c" + i, 0, 10, 1 + i % 3,
                    new ModelWeights(List.of(new Tensor("all", new int[] {317}, all))), Map.of()));
        }
        List<UpdateScores> full = AnomalyScorer.score(split, 1, true);
        List<UpdateScores> lean = AnomalyScorer.score(split, 1, false);
        List<UpdateScores> flat = AnomalyScorer.score(whole, 1, true);
        for (int i = 0; i < 7; i++) {
            assertThat(lean.get(i).krumScore()).isNaN();
            assertThat(full.get(i).krumScore()).isPositive().isCloseTo(flat.get(i).krumScore(), within(1e-9 * flat.get(i).krumScore()));
            assertThat(lean.get(i).l2Norm()).isEqualTo(full.get(i).l2Norm()).isCloseTo(flat.get(i).l2Norm(), within(1e-12));
            assertThat(lean.get(i).normZ()).isEqualTo(full.get(i).normZ());
            assertThat(lean.get(i).cosineToMedian()).isEqualTo(full.get(i).cosineToMedian())
                    .isCloseTo(flat.get(i).cosineToMedian(), within(1e-12));
        }
        assertThat(lean.get(3).cosineToMedian()).as("the flipped one").isNegative();
    }
}
