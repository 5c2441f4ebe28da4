package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import io.floe.trainer.privacy.DpSgdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client side of FedProx, SCAFFOLD and FedNova, and non-binary architectures, in {@link NetworkTraining}. */
class NetworkTrainingAlgorithmsTest {
    private static final String MODEL = "drift-test";
    private static final Architecture MLP = Architecture.parse("mlp(4,6,1)");
    /** 100 rows: 80 train after the 20% validation split. */
    private static final Dataset SITE = blobs(100, 4, 2, 2.0, 1L);
    private static final float LR = 0.1f;

    @TempDir
    Path stateDir;

    // ---- FedProx ----------------------------------------------------------------------------

    @Test
    void fedProxPullsTheLocalModelTowardsTheGlobalOne() {
        ModelWeights x = MLP.initialWeights(1);

        double fedAvg = norm(train("fedavg", x, 2, 16));
        double mildProx = norm(train("fedprox:mu=1", x, 2, 16));
        double hugeProx = norm(train("fedprox:mu=9", x, 2, 16)); // lr mu = 0.9 < 2: still a stable step

        assertThat(fedAvg).isGreaterThan(0);
        assertThat(mildProx).isLessThan(fedAvg);
        // the fixed point of w -= lr (g + mu (w - x)) lies |g| / mu from x: about 1/9 of plain SGD's 10 steps
        assertThat(hugeProx).isLessThan(0.3 * fedAvg).isLessThan(mildProx);
    }

    @Test
    void fedProxAddsMuTimesTheDistanceFromTheGlobalModelToEachGradient() {
        // Full-batch steps (batch 128 >= 80 rows): the first step starts at w = x, where the proximal
        // gradient mu (w - x) is zero, so one step is plain SGD; the second step's gradient at
        // w1 = x + d1 gets mu d1 added, so FedProx's two-step delta is SGD's minus lr mu d1.
        ModelWeights x = MLP.initialWeights(1);
        double mu = 0.5;

        ModelWeights oneStepAvg = train("fedavg", x, 1, 128);
        ModelWeights oneStepProx = train("fedprox:mu=" + mu, x, 1, 128);
        ModelWeights twoStepsAvg = train("fedavg", x, 2, 128);
        ModelWeights twoStepsProx = train("fedprox:mu=" + mu, x, 2, 128);

        assertClose(oneStepProx, oneStepAvg, 1e-7);
        ModelWeights expected = twoStepsAvg.plusScaled(oneStepAvg, (float) (-LR * mu));
        assertClose(twoStepsProx, expected, 1e-6);
        assertThat(twoStepsProx.minus(twoStepsAvg).l2Norm()).as("the proximal term changed the second step")
                .isGreaterThan(1e-3);
    }

    @Test
    void aVanishingMuTrainsAsFedAvg() {
        ModelWeights x = MLP.initialWeights(1);

        assertClose(train("fedprox:mu=1e-12", x, 2, 16), train("fedavg", x, 2, 16), 1e-7);
    }

    // ---- SCAFFOLD ---------------------------------------------------------------------------

    @Test
    void theFirstScaffoldRoundSendsOptionTwosControlDelta() {
        ModelWeights x = MLP.initialWeights(1);
        NetworkTraining training = NetworkTraining.builder("h", SITE).seed(3L).build();

        ModelUpdate u = training.train(model(MLP, x, 0, "scaffold", List.of(), 0f, List.of()));

        // c = c_i = 0: the correction adds nothing, and c_i+ = (x - y_i) / (K lr) = -delta / (K lr)
        ModelWeights delta = TensorRecords.fromRecords(u.getTensors());
        int k = u.getLocalSteps();
        assertThat(k).isEqualTo(2 * 5); // 2 epochs of ceil(80 / 16) batches
        ModelWeights controlDelta = TensorRecords.fromRecords(u.getControlDelta());
        assertThat(controlDelta.sameLayout(x)).isTrue();
        ModelWeights expected = delta.scaled((float) (-1.0 / (k * (double) LR)));
        assertClose(controlDelta, expected, 1e-5);
        assertThat(controlDelta.l2Norm()).isGreaterThan(0.01);
        assertClose(delta, train("fedavg", x, 2, 16), 1e-7);
        assertThat(training.clientControl(MODEL)).hasValueSatisfying(ci -> assertClose(ci, controlDelta, 0));
    }

    @Test
    void aRestartedTrainerResumesItsControlVariateFromTheStateDirectory() throws Exception {
        ModelWeights x0 = MLP.initialWeights(1);
        GlobalModel v0 = model(MLP, x0, 0, "scaffold", List.of(), 0f, List.of());
        Path otherDir = Files.createDirectory(stateDir.resolve("uninterrupted"));
        Path restartDir = Files.createDirectory(stateDir.resolve("restarted"));

        NetworkTraining uninterrupted = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(otherDir).build();
        ModelUpdate first = uninterrupted.train(v0);
        NetworkTraining beforeRestart = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(restartDir).build();
        assertThat(beforeRestart.train(v0).getControlDelta()).isEqualTo(first.getControlDelta());
        ModelWeights saved = beforeRestart.clientControl(MODEL).orElseThrow();

        NetworkTraining restarted = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(restartDir).build();

        assertThat(restartDir.resolve(MODEL).resolve("scaffold-h.bin")).isRegularFile();
        assertThat(restarted.clientControl(MODEL)).hasValueSatisfying(ci -> assertClose(ci, saved, 0));
        // Version 1 aggregated the first update; the server's c moved by (1/N) Delta c_i with N = 2.
        ModelWeights x1 = x0.plusScaled(TensorRecords.fromRecords(first.getTensors()), 0.5f);
        ModelWeights c1 = TensorRecords.fromRecords(first.getControlDelta()).scaled(0.5f);
        GlobalModel v1 = model(MLP, x1, 1, "scaffold", TensorRecords.toRecords(c1), 0f, List.of(first.getUpdateId()));

        ModelUpdate second = restarted.train(v1);

        // the restart is invisible: the same update as the trainer that never stopped
        ModelUpdate expected = uninterrupted.train(v1);
        assertThat(second.getTensors()).isEqualTo(expected.getTensors());
        assertThat(second.getControlDelta()).isEqualTo(expected.getControlDelta());
        // option II: Delta c_i = -c + (x - y_i) / (K lr)
        ModelWeights delta2 = TensorRecords.fromRecords(second.getTensors());
        ModelWeights formula = delta2.scaled((float) (-1.0 / (second.getLocalSteps() * (double) LR))).plusScaled(c1, -1f);
        ModelWeights controlDelta2 = TensorRecords.fromRecords(second.getControlDelta());
        assertClose(controlDelta2, formula, 1e-5);
        // c_i+ = the resumed c_i + Delta c_i
        assertClose(restarted.clientControl(MODEL).orElseThrow(), saved.plusScaled(controlDelta2, 1f), 1e-5);
        // and the resumed c_i shaped the local steps: a site starting from c_i = 0 trains another delta
        ModelUpdate fresh = NetworkTraining.builder("h", SITE).seed(3L).build().train(v1);
        assertThat(TensorRecords.fromRecords(fresh.getTensors()).minus(delta2).l2Norm()).isGreaterThan(1e-3);
    }

    @Test
    void anUpdateTheServerDidNotAggregateLeavesTheControlVariateWhereItWas() {
        ModelWeights x0 = MLP.initialWeights(1);
        NetworkTraining training = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(stateDir).build();
        ModelUpdate first = training.train(model(MLP, x0, 0, "scaffold", List.of(), 0f, List.of()));
        // version 1 closed without this site's update (late, or rejected), and c stayed zero
        GlobalModel v1 = model(MLP, x0, 1, "scaffold", List.of(), 0f, List.of("someone-else"));

        ModelUpdate second = training.train(v1);
        ModelUpdate fromZero = NetworkTraining.builder("h", SITE).seed(3L).build().train(v1);

        assertThat(first.getControlDelta()).isNotEmpty();
        assertThat(second.getTensors()).isEqualTo(fromZero.getTensors());
        assertThat(second.getControlDelta()).isEqualTo(fromZero.getControlDelta());
    }

    @Test
    void retrainingTheSameVersionAfterARestartSendsTheSameUpdate() {
        GlobalModel v0 = model(MLP, MLP.initialWeights(1), 0, "scaffold", List.of(), 0f, List.of());
        ModelUpdate before = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(stateDir).build().train(v0);

        ModelUpdate again = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(stateDir).build().train(v0);

        assertThat(again.getUpdateId()).isEqualTo(before.getUpdateId());
        assertThat(again.getTensors()).isEqualTo(before.getTensors());
        assertThat(again.getControlDelta()).isEqualTo(before.getControlDelta());
    }

    @Test
    void aCompressedModelGetsItsTensorsEncodedWithErrorFeedbackAndARetrainSendsTheSameBytes() {
        GlobalModel v0 = withCompression(model(MLP, MLP.initialWeights(1), 0, "fedavg", List.of(), 0f, List.of()),
                "topk:ratio=0.1", true);
        NetworkTraining training = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(stateDir).build();
        ModelUpdate dense = NetworkTraining.builder("h", SITE).seed(3L).build()
                .train(model(MLP, MLP.initialWeights(1), 0, "fedavg", List.of(), 0f, List.of()));

        ModelUpdate sparse = training.train(v0);
        ModelUpdate again = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(stateDir).build().train(v0);

        assertThat(sparse.getTensors()).allSatisfy(t -> assertThat(t.getEncoding()).isEqualTo(io.floe.schema.TensorEncoding.TOPK_F32));
        ModelWeights sent = TensorRecords.fromRecords(sparse.getTensors());
        ModelWeights full = TensorRecords.fromRecords(dense.getTensors());
        // the first round has no memory yet: the sent values are the full delta's largest, 10% of the whole update
        float[] s = sent.flatten();
        float[] f = full.flatten();
        int kept = 0;
        float smallestKept = Float.MAX_VALUE;
        float largestDropped = 0;
        for (int i = 0; i < s.length; i++) {
            if (s[i] != 0) {
                kept++;
                assertThat(s[i]).isEqualTo(f[i]);
                smallestKept = Math.min(smallestKept, Math.abs(f[i]));
            } else {
                largestDropped = Math.max(largestDropped, Math.abs(f[i]));
            }
        }
        assertThat(kept).isEqualTo((int) Math.ceil(0.1 * s.length));
        assertThat(smallestKept).isGreaterThanOrEqualTo(largestDropped);
        assertThat(again.getTensors()).isEqualTo(sparse.getTensors());
        assertThat(ErrorFeedbackFiles.count(stateDir)).isEqualTo(1);
    }

    private static GlobalModel withCompression(GlobalModel m, String compression, boolean errorFeedback) {
        return GlobalModel.newBuilder(m).setTraining(ClientTrainingConfig.newBuilder(m.getTraining()).setCompression(compression)
                .setErrorFeedback(errorFeedback).build()).build();
    }

    /** The error-feedback files under a state directory. */
    private static final class ErrorFeedbackFiles {
        static long count(Path dir) {
            try (var files = java.nio.file.Files.walk(dir)) {
                return files.filter(f -> f.getFileName().toString().startsWith("error-feedback-")).count();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void otherAlgorithmsSendNoControlDelta() {
        ModelWeights x = MLP.initialWeights(1);
        NetworkTraining training = NetworkTraining.builder("h", SITE).seed(3L).stateDirectory(stateDir).build();

        for (String algorithm : List.of("fedavg", "fedprox:mu=0.1", "fednova")) {
            assertThat(training.train(model(MLP, x, 0, algorithm, List.of(), 0f, List.of())).getControlDelta())
                    .as(algorithm).isEmpty();
        }
        assertThat(training.clientControl(MODEL)).isEmpty();
        assertThat(stateDir).isEmptyDirectory();
    }

    // ---- FedNova and momentum -----------------------------------------------------------------

    @Test
    void fedNovaTrainsTheConfiguredMomentumSgdAndReportsItsSteps() {
        ModelWeights x = MLP.initialWeights(1);
        NetworkTraining training = NetworkTraining.builder("h", SITE).seed(3L).build();

        ModelUpdate plain = training.train(model(MLP, x, 0, "fedavg", List.of(), 0f, List.of()));
        ModelUpdate nova = training.train(model(MLP, x, 0, "fednova", List.of(), 0f, List.of()));
        ModelUpdate novaMomentum = training.train(model(MLP, x, 0, "fednova", List.of(), 0.9f, List.of()));

        assertThat(nova.getTensors()).isEqualTo(plain.getTensors());
        assertThat(nova.getLocalSteps()).isEqualTo(10);
        ModelWeights withMomentum = TensorRecords.fromRecords(novaMomentum.getTensors());
        // heavy ball with mu = 0.9 moves further over the same 10 steps
        assertThat(withMomentum.l2Norm()).isGreaterThan(1.5 * TensorRecords.fromRecords(plain.getTensors()).l2Norm());
    }

    // ---- architectures ------------------------------------------------------------------------

    @Test
    void aSoftmaxMlpReportsMulticlassLossAndAccuracy() {
        Architecture arch = Architecture.mlp(4, 8, 3);
        Dataset threeBlobs = blobs(150, 4, 3, 4.0, 2L);
        NetworkTraining training = NetworkTraining.builder("h", threeBlobs).seed(3L).build();
        ModelWeights x = arch.initialWeights(1);

        ModelUpdate first = training.train(model(arch, x, 0, "fedavg", List.of(), 0f, List.of()));
        ModelUpdate last = first;
        for (int v = 1; v < 5; v++) {
            x = x.plusScaled(TensorRecords.fromRecords(last.getTensors()), 1f);
            last = training.train(model(arch, x, v, "fedavg", List.of(), 0f, List.of()));
        }

        assertThat(first.getMetrics()).containsKeys("loss", "accuracy", "train_loss").doesNotContainKey("auc");
        assertThat(TensorRecords.fromRecords(first.getTensors()).sameLayout(arch.zeroWeights())).isTrue();
        // 30 validation rows of well-separated blobs: chance is 1/3, ln 3 = 1.10 is the loss of a uniform guess
        assertThat(last.getMetrics().get("accuracy")).isGreaterThan(0.8);
        assertThat(last.getMetrics().get("loss")).isLessThan(0.7).isLessThan(first.getMetrics().get("loss"));
    }

    @Test
    void aCnnTrainsOneRoundOnSmallImagesAndSendsADeltaInItsLayout() {
        Architecture arch = Architecture.cnn(16, 16, 1, 2);
        NetworkTraining training = NetworkTraining.builder("h", halves(40, 5L)).seed(3L).build();
        ModelWeights x = arch.initialWeights(1);

        ModelUpdate u = training.train(model(arch, x, 0, "fedprox:mu=0.01", List.of(), 0.5f, List.of()));

        ModelWeights delta = TensorRecords.fromRecords(u.getTensors());
        assertThat(arch.accepts(delta)).isTrue();
        assertThat(delta.tensors()).extracting(Tensor::name).startsWith("conv0.W", "conv0.b", "conv1.W", "conv1.b")
                .contains("dense2.b");
        assertThat(delta.get("conv0.W").shape()).containsExactly(6, 1, 5, 5);
        assertThat(delta.get("conv0.W").values()).isNotEqualTo(new float[6 * 25]);
        assertThat(u.getLocalSteps()).isEqualTo(2 * 2); // 32 training images in batches of 16, 2 epochs
        assertThat(u.getMetrics()).containsKeys("loss", "accuracy").doesNotContainKey("auc");
        assertThat(u.getMetrics().get("accuracy")).isBetween(0.0, 1.0);
    }

    @Test
    void dpSgdOnACnnIsRefusedWithTheReason() {
        Architecture arch = Architecture.cnn(16, 16, 1, 2);
        NetworkTraining training = NetworkTraining.builder("h", halves(40, 5L))
                .dpSgd(DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).build()).build();

        assertThatThrownBy(() -> training.train(model(arch, arch.initialWeights(1), 0, "fedavg", List.of(), 0f, List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DP-SGD needs per-example gradients")
                .hasMessageContaining("cnn(16,16,1,2)");
        assertThat(training.privacyLedger().orElseThrow().rounds()).as("nothing was charged").isZero();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The delta of one fresh site (seed 3) trained on {@link #SITE} from {@code x}. */
    private static ModelWeights train(String algorithm, ModelWeights x, int epochs, int batch) {
        GlobalModel base = model(MLP, x, 0, algorithm, List.of(), 0f, List.of());
        base.getTraining().setLocalEpochs(epochs);
        base.getTraining().setBatchSize(batch);
        return TensorRecords.fromRecords(NetworkTraining.builder("h", SITE).seed(3L).build().train(base).getTensors());
    }

    /** Version {@code version} of {@link #MODEL}: learning rate 0.1, 2 local epochs, batch 16. */
    private static GlobalModel model(Architecture arch, ModelWeights weights, long version, String algorithm,
            List<io.floe.schema.Tensor> control, float momentum, List<String> aggregated) {
        return GlobalModel.newBuilder()
                .setModelId(MODEL)
                .setVersion(version)
                .setCreatedAt(Instant.EPOCH)
                .setArchitecture(arch.toString())
                .setTensors(TensorRecords.toRecords(weights))
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(LR).setLocalEpochs(2).setBatchSize(16)
                        .setMomentum(momentum).setAlgorithm(algorithm).build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1)
                        .setUpdateIds(aggregated).setSeed(0L).build())
                .setControl(control)
                .build();
    }

    private static double norm(ModelWeights w) {
        return w.l2Norm();
    }

    private static void assertClose(ModelWeights actual, ModelWeights expected, double tolerance) {
        assertThat(actual.sameLayout(expected)).as("layout").isTrue();
        float[] a = actual.flatten();
        float[] e = expected.flatten();
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("value %d", i).isCloseTo(e[i], within(tolerance * Math.max(1.0, Math.abs(e[i]))));
        }
    }

    /** {@code n} rows, label {@code i % classes}, Gaussian around class centres spread on a line. */
    private static Dataset blobs(int n, int d, int classes, double separation, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int j = 0; j < d; j++) {
                double centre = (j % classes == y[i] ? 1 : -0.5) * separation / 2;
                x[i][j] = (float) (centre + random.nextGaussian());
            }
        }
        return new Dataset(x, y);
    }

    /** 16x16 grey images: class 0 brighter on the left half, class 1 on the right, with noise. */
    private static Dataset halves(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][16 * 16];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int row = 0; row < 16; row++) {
                for (int col = 0; col < 16; col++) {
                    boolean bright = (col < 8) == (y[i] == 0);
                    x[i][row * 16 + col] = (float) ((bright ? 0.8 : 0.2) + 0.1 * random.nextGaussian());
                }
            }
        }
        return new Dataset(x, y);
    }
}
