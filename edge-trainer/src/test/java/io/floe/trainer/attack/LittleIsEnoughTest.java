package io.floe.trainer.attack;

import static io.floe.trainer.attack.LocalFederation.blobs;
import static io.floe.trainer.attack.LocalFederation.delta;
import static io.floe.trainer.attack.LocalFederation.globalModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LittleIsEnoughTest {

    @Test
    void zMaxFollowsThePapersFormula() {
        // n = 10, f = 3: s = floor(10/2 + 1) - 3 = 3, z_max = Phi^-1((10 - 3) / 10) = Phi^-1(0.7) = 0.5244
        assertThat(LittleIsEnough.supportersNeeded(10, 3)).isEqualTo(3);
        assertThat(LittleIsEnough.zMax(10, 3)).isCloseTo(0.5244, within(1e-4));
        // n = 50, f = 24 (the paper's CIFAR setting): s = 2, z_max = Phi^-1(0.96) = 1.7507
        assertThat(LittleIsEnough.supportersNeeded(50, 24)).isEqualTo(2);
        assertThat(LittleIsEnough.zMax(50, 24)).isCloseTo(1.7507, within(1e-4));
        // n odd: floor(9/2 + 1) = 5, so s = 5 - 2 = 3 and z_max = Phi^-1(6/9)
        assertThat(LittleIsEnough.zMax(9, 2)).isCloseTo(StandardNormal.quantile(6.0 / 9.0), within(1e-15));
    }

    @Test
    void zMaxRejectsAnAttackerMajority() {
        assertThatThrownBy(() -> LittleIsEnough.zMax(10, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s = floor(n/2 + 1) - f = 0");
        assertThatThrownBy(() -> LittleIsEnough.zMax(10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LittleIsEnough.zMax(10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void craftsMeanMinusZSigmaOfThreeColludingDeltas() {
        // coordinate 0: 1, 3, 2 -> mean 2, sample sd sqrt((1 + 1 + 0) / 2) = 1
        // coordinate 1: 2, 2, 5 -> mean 3, sample sd sqrt((1 + 1 + 4) / 2) = sqrt(3)
        // coordinate 2: -1, 0, 1 -> mean 0, sample sd 1
        Collusion.Statistics pooled = Collusion.Statistics.of(List.of("a", "b", "c"),
                List.of(new float[] {1f, 2f, -1f}, new float[] {3f, 2f, 0f}, new float[] {2f, 5f, 1f}));

        float[] sent = LittleIsEnough.craft(pooled, 0.5);

        assertThat(pooled.mean()).containsExactly(2f, 3f, 0f);
        assertThat(pooled.std()).containsExactly(new float[] {1f, (float) Math.sqrt(3), 1f}, within(1e-7f));
        assertThat(sent).containsExactly(new float[] {1.5f, (float) (3 - 0.5 * Math.sqrt(3)), -0.5f}, within(1e-6f));
    }

    @Test
    void colludingTrainersAllSendMeanMinusZMaxSigmaOfTheirHonestDeltas() throws Exception {
        Architecture arch = Architecture.parse("mlp(4,6,1)");
        GlobalModel base = globalModel(arch, arch.initialWeights(9L), 3L);
        Collusion collusion = new Collusion(10, 3);
        List<Dataset> sites = List.of(blobs(60, 4, 1.5, 21L), blobs(80, 4, 2.5, 22L), blobs(40, 4, 1.0, 23L));
        double z = LittleIsEnough.zMax(10, 3);

        List<ModelUpdate> sent = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<ModelUpdate>> futures = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                AttackingTraining t = new AttackingTraining("mallory-" + k, sites.get(k), 100 + k, Attack.parse("alie"), collusion);
                futures.add(pool.submit(() -> t.train(base)));
            }
            for (Future<ModelUpdate> f : futures) {
                sent.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        // by hand: each attacker's honest delta, then mean and sample sd per coordinate
        List<float[]> honest = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            honest.add(ModelPoisoning.flatten(delta(new NetworkTraining("mallory-" + k, sites.get(k),
                    NetworkTraining.DEFAULT_VALIDATION_FRACTION, 100 + k).train(base))));
        }
        int d = honest.get(0).length;
        float[] expected = new float[d];
        for (int j = 0; j < d; j++) {
            double a = honest.get(0)[j];
            double b = honest.get(1)[j];
            double c = honest.get(2)[j];
            double mu = (a + b + c) / 3;
            double sigma = Math.sqrt(((a - mu) * (a - mu) + (b - mu) * (b - mu) + (c - mu) * (c - mu)) / 2);
            expected[j] = (float) (mu - z * sigma);
        }
        for (ModelUpdate u : sent) {
            assertThat(ModelPoisoning.flatten(delta(u))).containsExactly(expected, within(1e-6f));
            assertThat(delta(u)).isEqualTo(delta(sent.get(0)));
        }
        assertThat(sent).extracting(ModelUpdate::getClientId).containsExactly("mallory-0", "mallory-1", "mallory-2");
    }
}
