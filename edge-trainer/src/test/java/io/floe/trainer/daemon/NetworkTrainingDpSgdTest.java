package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.privacy.RdpAccountant;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import io.floe.trainer.privacy.DpSgdConfig;
import io.floe.trainer.privacy.DpSgdLedger;
import io.floe.trainer.privacy.PrivacyBudgetExhaustedException;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkTrainingDpSgdTest {
    private static final Architecture ARCH = Architecture.parse("mlp(4,6,1)");
    private static final Dataset SITE = blobs(100, 4, 2.0, 1L);

    @Test
    void eachUpdateCarriesTheEpsilonSpentSoFarAndNoTrainingLoss() {
        NetworkTraining training = NetworkTraining.builder("hospital-1", SITE).seed(3L)
                .dpSgd(DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.2).secretSeed(5L).build())
                .build();
        int n = training.trainingExamples(); // 80 after the 20% validation split
        double q = 16.0 / n;

        ModelUpdate first = training.train(globalModel(ARCH.initialWeights(1), 0));
        ModelUpdate second = training.train(globalModel(ARCH.initialWeights(1), 1));

        // 2 local epochs of ceil(80 / 16) = 5 steps per round
        assertThat(first.getLocalSteps()).isEqualTo(10);
        assertThat(first.getMetrics().get("dp_epsilon")).isEqualTo(RdpAccountant.epsilon(q, 1.2, 10, 1e-5));
        assertThat(second.getMetrics().get("dp_epsilon")).isEqualTo(RdpAccountant.epsilon(q, 1.2, 20, 1e-5))
                .isGreaterThan(first.getMetrics().get("dp_epsilon"));
        assertThat(second.getMetrics()).containsEntry("dp_delta", 1e-5).containsEntry("dp_noise_multiplier", 1.2)
                .containsEntry("dp_clip_norm", 1.0).containsEntry("dp_sample_rate", q)
                .containsKeys("loss", "accuracy", "auc").doesNotContainKey("train_loss");
        assertThat(training.privacyLedger()).map(DpSgdLedger::rounds).hasValue(2);
    }

    @Test
    void theSameSecretAndVersionGiveTheSameUpdate() {
        DpSgdConfig config = DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).secretSeed(5L).build();
        GlobalModel base = globalModel(ARCH.initialWeights(1), 4);

        ModelUpdate a = NetworkTraining.builder("h", SITE).dpSgd(config).build().train(base);
        ModelUpdate b = NetworkTraining.builder("h", SITE).dpSgd(config).build().train(base);
        ModelUpdate other = NetworkTraining.builder("h", SITE)
                .dpSgd(DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).secretSeed(6L).build()).build()
                .train(base);

        assertThat(b.getTensors()).isEqualTo(a.getTensors());
        assertThat(other.getTensors()).isNotEqualTo(a.getTensors());
    }

    @Test
    void aTargetEpsilonStopsTheSiteAfterThePlannedRounds() {
        NetworkTraining training = NetworkTraining.builder("hospital-2", SITE)
                .dpSgd(DpSgdConfig.builder().clipNorm(1.0).targetEpsilon(3.0).plannedRounds(2).build())
                .build();
        ModelWeights global = ARCH.initialWeights(1);

        double epsilon = 0;
        for (int v = 0; v < 2; v++) {
            ModelUpdate u = training.train(globalModel(global, v));
            global = global.plusScaled(TensorRecords.fromRecords(u.getTensors()), 1f);
            epsilon = u.getMetrics().get("dp_epsilon");
        }

        assertThat(epsilon).isLessThanOrEqualTo(3.0).isGreaterThan(2.5);
        ModelWeights last = global;
        assertThatThrownBy(() -> training.train(globalModel(last, 2)))
                .isInstanceOf(PrivacyBudgetExhaustedException.class)
                .hasMessageContaining("privacy budget exhausted");
    }

    @Test
    void theConstructorsStillTrainWithoutDp() {
        NetworkTraining training = new NetworkTraining("h", SITE, NetworkTraining.DEFAULT_VALIDATION_FRACTION, 3L);

        ModelUpdate u = training.train(globalModel(ARCH.initialWeights(1), 0));

        assertThat(training.privacyLedger()).isEmpty();
        assertThat(u.getMetrics()).containsKey("train_loss").doesNotContainKeys("dp_epsilon", "dp_delta");
        assertThat(u.getLocalSteps()).isEqualTo(2 * 5);
        ModelUpdate viaBuilder = NetworkTraining.builder("h", SITE).seed(3L).build()
                .train(globalModel(ARCH.initialWeights(1), 0));
        assertThat(viaBuilder.getTensors()).isEqualTo(u.getTensors());
    }

    /** Version {@code version} holding {@code weights}: learning rate 0.1, 2 local epochs, batch 16. */
    private static GlobalModel globalModel(ModelWeights weights, long version) {
        return GlobalModel.newBuilder()
                .setModelId("dp-test")
                .setVersion(version)
                .setCreatedAt(Instant.EPOCH)
                .setArchitecture(ARCH.toString())
                .setTensors(TensorRecords.toRecords(weights))
                .setTraining(ClientTrainingConfig.newBuilder()
                        .setLearningRate(0.1f).setLocalEpochs(2).setBatchSize(16).build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1)
                        .setUpdateIds(List.of()).setSeed(0L).build())
                .build();
    }

    private static Dataset blobs(int n, int d, double separation, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            double centre = (y[i] == 1 ? 0.5 : -0.5) * separation;
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (centre + random.nextGaussian());
            }
        }
        return new Dataset(x, y);
    }
}
