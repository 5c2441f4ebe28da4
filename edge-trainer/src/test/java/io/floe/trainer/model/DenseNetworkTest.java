package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.eval.BinaryMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DenseNetworkTest {

    @Test
    void weightsRoundTripBitExactly() {
        Architecture arch = Architecture.parse("mlp(5,7,3,1)");
        ModelWeights w = withBiases(arch.initialWeights(3), 0.25f);

        DenseNetwork net = new DenseNetwork(arch, w);

        assertThat(net.weights()).isEqualTo(w);
        ModelWeights other = arch.initialWeights(4);
        net.setWeights(other);
        assertThat(net.weights()).isEqualTo(other);
    }

    @Test
    void rejectsWeightsOfAnotherArchitecture() {
        DenseNetwork net = new DenseNetwork(Architecture.parse("logreg(3)"), 1L);

        assertThatThrownBy(() -> net.setWeights(Architecture.parse("logreg(4)").zeroWeights()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not fit logreg(3), which needs [dense0.W[3, 1], dense0.b[1]]");
    }

    @Test
    void predictsTheSigmoidOfTheAffineMap() {
        // W = [1, -2], b = 0.5: x = (1, 1) -> z = -0.5, sigmoid = 0.3775407; x = (0, 0) -> sigmoid(0.5) = 0.6224593
        Architecture arch = Architecture.parse("logreg(2)");
        DenseNetwork net = new DenseNetwork(arch, new ModelWeights(List.of(
                new Tensor("dense0.W", new int[] {2, 1}, new float[] {1f, -2f}),
                new Tensor("dense0.b", new int[] {1}, new float[] {0.5f}))));

        float[] p = net.predictProba(new float[][] {{1f, 1f}, {0f, 0f}});

        assertThat(p).containsExactly(new float[] {0.3775407f, 0.6224593f}, within(1e-6f));
    }

    @Test
    void logisticGradientMatchesTheHandComputedValue() {
        // W = 0, b = 0, x = (1, 2), y = 1: p = 0.5, loss = ln 2, dW = (p - y) x = (-0.5, -1), db = -0.5
        Architecture arch = Architecture.parse("logreg(2)");
        DenseNetwork net = new DenseNetwork(arch, arch.zeroWeights());

        double loss = net.lossAndGradients(matrix(new float[][] {{1f, 2f}}), matrix(new float[][] {{1f}}));

        assertThat(loss).isCloseTo(Math.log(2), within(1e-7));
        assertThat(net.gradients().get("dense0.W").values()).containsExactly(-0.5f, -1f);
        assertThat(net.gradients().get("dense0.b").values()).containsExactly(-0.5f);
    }

    @Test
    void oneSgdStepMovesAgainstTheGradient() {
        // from the gradient above with learning rate 0.1: W = (0.05, 0.1), b = 0.05
        Architecture arch = Architecture.parse("logreg(2)");
        DenseNetwork net = new DenseNetwork(arch, arch.zeroWeights());

        Dataset one = new Dataset(new float[][] {{1f, 2f}}, new int[] {1});

        TrainingResult r = net.train(one, new TrainingConfig(0.1, 1, 1, 0L));

        assertThat(net.weights().get("dense0.W").values()).containsExactly(0.05f, 0.1f);
        assertThat(net.weights().get("dense0.b").values()).containsExactly(0.05f);
        assertThat(r).isEqualTo(new TrainingResult(1, 1, 1, Math.log(2)));
    }

    @Test
    void backwardPassMatchesCentralFiniteDifferences() {
        Architecture arch = Architecture.parse("mlp(3,4,1)");
        ModelWeights w = withBiases(arch.initialWeights(11), 0.1f);
        DenseNetwork net = new DenseNetwork(arch, w);
        SplittableRandom random = new SplittableRandom(5L);
        float[][] x = new float[6][3];
        for (float[] row : x) {
            for (int j = 0; j < 3; j++) {
                row[j] = (float) (2.0 * random.nextDouble() - 1.0);
            }
        }
        float[][] y = {{1f}, {0f}, {1f}, {1f}, {0f}, {0f}};
        ReferenceMlp reference = new ReferenceMlp(arch, x, y);

        double loss = net.lossAndGradients(matrix(x), matrix(y));
        ModelWeights analytic = net.gradients();

        double[][] params = reference.toDouble(w);
        assertThat(reference.minAbsHiddenPreActivation(params)).as("no ReLU kink within reach of h")
                .isGreaterThan(1e-3);
        assertThat(loss).isCloseTo(reference.loss(params), within(1e-6));
        double h = 1e-6;
        for (int t = 0; t < params.length; t++) {
            float[] grad = analytic.tensors().get(t).values();
            for (int k = 0; k < params[t].length; k++) {
                double saved = params[t][k];
                params[t][k] = saved + h;
                double up = reference.loss(params);
                params[t][k] = saved - h;
                double down = reference.loss(params);
                params[t][k] = saved;
                double numeric = (up - down) / (2 * h);
                assertThat((double) grad[k]).as("%s[%d]", analytic.tensors().get(t).name(), k)
                        .isCloseTo(numeric, within(1e-5 + 1e-3 * Math.abs(numeric)));
            }
        }
    }

    @Test
    void softmaxBackwardPassMatchesCentralFiniteDifferences() {
        Architecture arch = Architecture.parse("mlp(3,4,3)");
        ModelWeights w = withBiases(arch.initialWeights(12), 0.1f);
        DenseNetwork net = new DenseNetwork(arch, w);
        SplittableRandom random = new SplittableRandom(6L);
        float[][] x = new float[6][3];
        for (float[] row : x) {
            for (int j = 0; j < 3; j++) {
                row[j] = (float) (2.0 * random.nextDouble() - 1.0);
            }
        }
        float[][] y = {{1f, 0f, 0f}, {0f, 1f, 0f}, {0f, 0f, 1f}, {0f, 1f, 0f}, {1f, 0f, 0f}, {0f, 0f, 1f}};
        ReferenceMlp reference = new ReferenceMlp(arch, x, y);

        double loss = net.lossAndGradients(matrix(x), matrix(y));
        ModelWeights analytic = net.gradients();

        double[][] params = reference.toDouble(w);
        assertThat(reference.minAbsHiddenPreActivation(params)).isGreaterThan(1e-3);
        assertThat(loss).isCloseTo(reference.loss(params), within(1e-6));
        double h = 1e-6;
        for (int t = 0; t < params.length; t++) {
            float[] grad = analytic.tensors().get(t).values();
            for (int k = 0; k < params[t].length; k++) {
                double saved = params[t][k];
                params[t][k] = saved + h;
                double up = reference.loss(params);
                params[t][k] = saved - h;
                double down = reference.loss(params);
                params[t][k] = saved;
                double numeric = (up - down) / (2 * h);
                assertThat((double) grad[k]).as("%s[%d]", analytic.tensors().get(t).name(), k)
                        .isCloseTo(numeric, within(1e-5 + 1e-3 * Math.abs(numeric)));
            }
        }
    }

    @Test
    void softmaxMlpLearnsThreeClassesAndPredictsRowsThatSumToOne() {
        // class c: points around (cos(2 pi c / 3), sin(2 pi c / 3)) with noise 0.2
        SplittableRandom random = new SplittableRandom(8L);
        int n = 150;
        float[][] x = new float[n][];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            double angle = 2 * Math.PI * c / 3;
            x[i] = new float[] {(float) (Math.cos(angle) + 0.2 * random.nextGaussian()),
                (float) (Math.sin(angle) + 0.2 * random.nextGaussian())};
            labels[i] = c;
        }
        Dataset data = new Dataset(x, labels);
        LocalModel net = LocalModels.create(Architecture.parse("mlp(2,8,3)"), 3L);

        TrainingResult r = net.train(data, new TrainingConfig(0.3, 20, 10, 1L));

        assertThat(net).isInstanceOf(DenseNetwork.class);
        assertThat(r.steps()).isEqualTo(20 * 15);
        assertThat(net.accuracy(data)).isGreaterThan(0.95);
        float[] p = net.predictProba(data);
        assertThat(p).hasSize(3 * n);
        for (int i = 0; i < n; i++) {
            assertThat(p[3 * i] + p[3 * i + 1] + p[3 * i + 2]).isCloseTo(1f, within(1e-5f));
        }
    }

    @Test
    void softmaxMlpRejectsLabelsOutsideItsClasses() {
        LocalModel net = LocalModels.create(Architecture.parse("mlp(2,3)"), 1L);
        Dataset data = new Dataset(new float[][] {{0f, 0f}, {1f, 1f}}, new int[] {0, 3});

        assertThatThrownBy(() -> net.train(data, TrainingConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mlp(2,3) classifies into 3 classes, row 1 has label 3");
    }

    @Test
    void logisticRegressionSeparatesSeparableData() {
        Dataset data = separable(60, 9L);
        DenseNetwork net = new DenseNetwork(Architecture.parse("logreg(2)"), 1L);

        TrainingResult r = net.train(data, new TrainingConfig(0.5, 50, 8, 3L));

        assertThat(BinaryMetrics.accuracy(data.labels(), net.predictProba(data))).isEqualTo(1.0);
        assertThat(r.steps()).isEqualTo(50 * 8); // ceil(60 / 8) = 8 batches per epoch, the last of 4 rows
        assertThat(r.examples()).isEqualTo(60);
        assertThat(r.lastEpochLoss()).isLessThan(0.1);
    }

    @Test
    void trainingIsDeterministicForASeed() {
        Architecture arch = Architecture.parse("mlp(2,8,1)");
        Dataset data = separable(50, 4L);
        TrainingConfig cfg = new TrainingConfig(0.2, 3, 7, 99L);

        DenseNetwork a = new DenseNetwork(arch, 5L);
        DenseNetwork b = new DenseNetwork(arch, 5L);
        DenseNetwork c = new DenseNetwork(arch, 5L);
        TrainingResult ra = a.train(data, cfg);
        TrainingResult rb = b.train(data, cfg);
        c.train(data, cfg.withSeed(100L));

        assertThat(rb).isEqualTo(ra);
        assertThat(b.weights()).isEqualTo(a.weights());
        assertThat(c.weights()).isNotEqualTo(a.weights());
        assertThat(ra.steps()).isEqualTo(3 * 8); // ceil(50 / 7) = 8
    }

    @Test
    void rejectsDataOfTheWrongWidthOrNoRows() {
        DenseNetwork net = new DenseNetwork(Architecture.parse("logreg(3)"), 1L);
        Dataset twoFeatures = separable(10, 1L);

        assertThatThrownBy(() -> net.train(twoFeatures, TrainingConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logreg(3) takes 3 features, data has 2");
        DenseNetwork net2 = new DenseNetwork(Architecture.parse("logreg(2)"), 1L);
        assertThatThrownBy(() -> net2.train(twoFeatures.subset(new int[0]), TrainingConfig.defaults()))
                .hasMessageContaining("empty");
    }

    /** Points in [-1, 1]^2 labelled by x0 + x1 > 0, with no point closer than 0.3 to the boundary. */
    static Dataset separable(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; ) {
            float a = (float) (2.0 * random.nextDouble() - 1.0);
            float b = (float) (2.0 * random.nextDouble() - 1.0);
            if (Math.abs(a + b) >= 0.3f) {
                x[i] = new float[] {a, b};
                y[i++] = a + b > 0 ? 1 : 0;
            }
        }
        return new Dataset(x, y);
    }

    private static INDArray matrix(float[][] rows) {
        return Nd4j.create(rows).castTo(DataType.FLOAT);
    }

    private static ModelWeights withBiases(ModelWeights w, float start) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : w.tensors()) {
            if (t.name().endsWith(".b")) {
                float[] v = new float[t.size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = start * (k % 2 == 0 ? 1 : -1) * (1 + k);
                }
                out.add(t.withValues(v));
            } else {
                out.add(t);
            }
        }
        return new ModelWeights(out);
    }
}
