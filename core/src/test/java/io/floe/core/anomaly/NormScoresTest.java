package io.floe.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Norm-only scores (the chunked path): by hand, and equal to the whole-update scorer's norm scores. */
class NormScoresTest {

    @Test
    void byHandAnAbsurdNormIsRejectedWhateverThePolicyAndABoostedOneFlagged() {
        // norms per step 1, 2, 2, 1e6 (the last one's 2e6 over 2 steps): median 2, |dev| = 1, 0, 0, 999998 -> MAD 0.5
        List<UpdateScores> s = NormScores.of(List.of(
                new NormScores.Norm("d", "client-d", 2, 4e12),
                new NormScores.Norm("a", "client-a", 1, 1),
                new NormScores.Norm("b", "client-b", 1, 4),
                new NormScores.Norm("c", "client-c", 0, 4)));
        assertThat(s).extracting(UpdateScores::updateId).containsExactly("a", "b", "c", "d");
        assertThat(s.get(0).l2Norm()).isEqualTo(1.0);
        assertThat(s.get(3).l2Norm()).isEqualTo(2e6);
        assertThat(s.get(0).normZ()).isCloseTo(-1 / (1.4826 * 0.5), within(1e-12));
        assertThat(s.get(1).normZ()).isEqualTo(0.0);
        assertThat(s.get(3).normRatio()).isEqualTo(5e5);
        assertThat(s.get(0).normRatio()).isEqualTo(0.5);
        assertThat(s.get(0).cosineToMedian()).isNaN();
        assertThat(s.get(0).krumScore()).isNaN();

        AnomalyPolicy flag = AnomalyPolicy.flagOnly();
        assertThat(flag.judge(s.get(3)).decision()).isEqualTo(Decision.REJECT);
        assertThat(flag.judge(s.get(3)).reason()).contains("maxNormRatio");
        assertThat(flag.judge(s.get(1)).decision()).isEqualTo(Decision.ACCEPT);
        // a NaN cosine never counts as pointing away from the median
        assertThat(flag.judge(s.get(0)).decision()).isEqualTo(Decision.ACCEPT);
        assertThat(NormScores.of(List.of())).isEmpty();
    }

    @Test
    void theNormScoresEqualTheWholeUpdateScorersOnRandomRounds() {
        Random rnd = new Random(9);
        for (int round = 0; round < 5; round++) {
            List<ClientUpdate> updates = new ArrayList<>();
            List<NormScores.Norm> norms = new ArrayList<>();
            for (int k = 0; k < 7; k++) {
                float[] v = new float[300];
                double squares = 0;
                double scale = k == 6 ? 50 : 1;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rnd.nextGaussian() * scale);
                    squares += (double) v[i] * v[i];
                }
                int steps = 1 + rnd.nextInt(4);
                updates.add(new ClientUpdate("u" + k, "c" + k, 0, 10, steps, new ModelWeights(List.of(new Tensor("w", new int[] {300}, v))),
                        Map.of()));
                norms.add(new NormScores.Norm("u" + k, "c" + k, steps, squares));
            }
            List<UpdateScores> whole = AnomalyScorer.score(updates, 1);
            List<UpdateScores> fromNorms = NormScores.of(norms);
            for (int i = 0; i < whole.size(); i++) {
                assertThat(fromNorms.get(i).updateId()).isEqualTo(whole.get(i).updateId());
                assertThat(fromNorms.get(i).l2Norm()).isCloseTo(whole.get(i).l2Norm(), within(1e-9 * whole.get(i).l2Norm()));
                assertThat(fromNorms.get(i).normZ()).isCloseTo(whole.get(i).normZ(), within(1e-6));
                assertThat(fromNorms.get(i).normRatio()).isCloseTo(whole.get(i).normRatio(), within(1e-9));
            }
        }
    }
}
