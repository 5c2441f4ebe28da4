package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.trainer.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DpSgdTest {

    /**
     * The vectorised path (norms from ||a_i||^2 ||g_i||^2, rows scaled, one GEMM per layer) against
     * a reference that runs backpropagation on each example alone, clips its gradient and sums.
     */
    @ParameterizedTest
    @ValueSource(strings = {"logreg(3)", "mlp(3,4,1)", "mlp(5,7,3,1)", "mlp(4,6,2)"})
    void vectorisedClippedSumMatchesOneExampleAtATime(String descriptor) {
        // Prepare: rows of very different scale, so some gradients are clipped and some are not
        Architecture arch = Architecture.parse(descriptor);
        DenseNetwork net = new DenseNetwork(arch, arch.initialWeights(17));
        int m = 9;
        float[][] x = randomRows(m, arch.inputDim(), 3L);
        for (int r = 0; r < m; r++) {
            float scale = (float) Math.pow(4, r % 4 - 1); // 1/4, 1, 4, 16
            for (int j = 0; j < x[r].length; j++) {
                x[r][j] *= scale;
            }
        }
        float[][] y = new float[m][arch.outputDim()];
        for (int r = 0; r < m; r++) {
            for (int k = 0; k < y[r].length; k++) {
                y[r][k] = (r + k) % 2;
            }
        }
        double[] norms = new double[m];
        double[][] perExample = new double[m][];
        for (int r = 0; r < m; r++) {
            net.lossAndGradients(matrix(new float[][] {x[r]}), matrix(new float[][] {y[r]})); // mean over 1 row
            perExample[r] = flatten(net.gradients());
            norms[r] = norm(perExample[r]);
        }
        double clip = median(norms);
        double[] reference = new double[perExample[0].length];
        for (int r = 0; r < m; r++) {
            double c = Math.min(1.0, clip / norms[r]);
            for (int k = 0; k < reference.length; k++) {
                reference[k] += c * perExample[r][k];
            }
        }

        // Execute
        BatchBuffers batch = batch(arch, x, y);
        net.forward(batch);
        INDArray vectorisedNorms = new DpSgd(clip, 0.0, m).clipAndSum(net, batch);
        double[] vectorised = flatten(net.gradients());

        // Assert
        assertThat(Arrays.stream(norms).filter(v -> v > clip).count()).as("some clipped").isBetween(1L, m - 1L);
        for (int r = 0; r < m; r++) {
            assertThat(vectorisedNorms.getDouble(r, 0)).as("norm of example %d", r)
                    .isCloseTo(norms[r], within(1e-5 * norms[r]));
        }
        double scale = Arrays.stream(reference).map(Math::abs).max().orElseThrow();
        for (int k = 0; k < reference.length; k++) {
            assertThat(vectorised[k]).as("coordinate %d", k).isCloseTo(reference[k], within(1e-5 * scale));
        }
    }

    @Test
    void everyClippedExampleGradientHasNormAtMostC() {
        Architecture arch = Architecture.parse("mlp(6,8,1)");
        DenseNetwork net = new DenseNetwork(arch, arch.initialWeights(5));
        float[][] x = randomRows(40, 6, 8L);
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < 6; j++) {
                x[r][j] *= 1 + r; // norms from small to large
            }
        }
        double clip = 0.7;
        DpSgd dp = new DpSgd(clip, 0.0, 1);
        int clipped = 0;
        for (int r = 0; r < x.length; r++) {
            BatchBuffers one = batch(arch, new float[][] {x[r]}, new float[][] {{r % 2}});
            net.forward(one);
            double before = dp.clipAndSum(net, one).getDouble(0, 0);
            double after = norm(flatten(net.gradients()));

            assertThat(after).as("example %d", r).isLessThanOrEqualTo(clip * (1 + 1e-6));
            if (before > clip) {
                clipped++;
                assertThat(after).as("clipped example %d lands on the sphere", r).isCloseTo(clip, within(1e-5));
            } else {
                assertThat(after).as("example %d is left alone", r).isCloseTo(before, within(1e-6 * before + 1e-9));
            }
        }
        assertThat(clipped).isBetween(5, 35);
    }

    @Test
    void noiseOnTheClippedSumHasStdSigmaC() {
        Architecture arch = Architecture.parse("mlp(100,100,1)");
        DenseNetwork net = new DenseNetwork(arch, arch.zeroWeights());
        DpSgd dp = new DpSgd(0.5, 3.0, 16);
        for (INDArray g : net.flatGradients()) {
            g.assign(0);
        }

        dp.addNoise(net, new SplittableRandom(11L));

        double[] noise = flatten(net.gradients());
        assertThat(noise.length).isEqualTo(10_201);
        assertThat(mean(noise)).isCloseTo(0.0, within(4 * 1.5 / Math.sqrt(noise.length)));
        assertThat(std(noise)).isCloseTo(1.5, within(0.03 * 1.5));
    }

    /**
     * A network whose every gradient is exactly zero (the float32 sigmoid of a logit of 100 is
     * exactly 1, and all labels are 1): the whole update is noise, with std
     * {@code lr sigma C sqrt(steps) / (q n)}, the expected batch size as denominator.
     */
    @Test
    void updateOfAZeroGradientModelIsNoiseOverTheExpectedBatchSize() {
        Architecture arch = Architecture.parse("mlp(100,100,1)");
        ModelWeights start = withOutputBias(arch.zeroWeights(), 100f);
        DenseNetwork net = new DenseNetwork(arch, start);
        int n = 200;
        Dataset allOnes = new Dataset(new float[n][100], filled(n, 1));
        DpSgd dp = new DpSgd(0.5, 2.0, 20); // q = 0.1, 10 steps per epoch
        double lr = 1e-3;

        TrainingResult r = net.train(allOnes, new TrainingConfig(lr, 1, 999, 7L), dp);

        double[] update = flatten(net.weights().minus(start));
        double expected = lr * 2.0 * 0.5 * Math.sqrt(10) / (0.1 * n);
        assertThat(r.steps()).isEqualTo(10);
        assertThat(r.lastEpochLoss()).isLessThan(1e-30);
        assertThat(std(update)).isCloseTo(expected, within(0.03 * expected));
    }

    /**
     * Sigma 0, every example's bias gradient clipped from 0.5 to exactly C = 0.1: the bias moves by
     * {@code lr C M / (q n)}, M the number of examples drawn over all steps, so the move counts M.
     * M is Binomial(steps n, q): Poisson sampling at rate q, divided by q n rather than by M.
     */
    @Test
    void poissonBatchesHoldQnExamplesOnAverageAndTheStepDividesByQn() {
        Architecture arch = Architecture.parse("logreg(1)");
        int n = 1000;
        Dataset zeros = new Dataset(new float[n][1], filled(n, 1)); // x = 0: only the bias learns
        DpSgd dp = new DpSgd(0.1, 0.0, 50); // q = 0.05, 20 steps per epoch
        double lr = 1e-3;
        DenseNetwork net = new DenseNetwork(arch, arch.zeroWeights());

        TrainingResult r = net.train(zeros, new TrainingConfig(lr, 5, 1, 3L), dp);

        double bias = net.weights().get("dense0.b").values()[0];
        double drawn = bias * (0.05 * n) / (lr * 0.1);
        double expected = 5 * 20 * 0.05 * n;
        assertThat(r.steps()).isEqualTo(100);
        assertThat(1 / (1 + Math.exp(-bias))).as("p stays below 1 - C, so every gradient is clipped").isLessThan(0.9);
        assertThat(drawn).isCloseTo(Math.rint(drawn), within(0.05));
        assertThat(drawn).isNotEqualTo(expected)
                .isCloseTo(expected, within(4 * Math.sqrt(expected * 0.95)));
    }

    @Test
    void aSeedReplaysTheSameNoisyRunIncludingEmptyBatches() {
        Architecture arch = Architecture.parse("mlp(2,8,1)");
        Dataset data = DenseNetworkTest.separable(20, 4L);
        DpSgd dp = new DpSgd(1.0, 1.0, 1); // q = 0.05: about a third of the batches are empty
        TrainingConfig cfg = new TrainingConfig(0.1, 3, 32, 99L);

        DenseNetwork a = new DenseNetwork(arch, 5L);
        DenseNetwork b = new DenseNetwork(arch, 5L);
        DenseNetwork c = new DenseNetwork(arch, 5L);
        TrainingResult ra = a.train(data, cfg, dp);
        b.train(data, cfg, dp);
        c.train(data, cfg.withSeed(100L), dp);

        assertThat(ra.steps()).isEqualTo(60);
        assertThat(b.weights()).isEqualTo(a.weights());
        assertThat(c.weights()).isNotEqualTo(a.weights());
    }

    @Test
    void samplingRateAndStepsFollowTheExpectedBatchSize() {
        DpSgd dp = new DpSgd(1.0, 1.1, 32);

        assertThat(dp.sampleRate(456)).isEqualTo(32.0 / 456);
        assertThat(dp.stepsPerEpoch(456)).isEqualTo(15);
        assertThat(dp.sampleRate(20)).isEqualTo(1.0);
        assertThat(dp.stepsPerEpoch(20)).isEqualTo(1);
        assertThat(dp.noiseStd()).isCloseTo(1.1, within(1e-12));
    }

    @Test
    void rejectsParametersThatGiveNoClippingOrNoBatch() {
        assertThatThrownBy(() -> new DpSgd(0.0, 1.0, 8)).hasMessageContaining("clip norm C must be positive");
        assertThatThrownBy(() -> new DpSgd(1.0, -1.0, 8)).hasMessageContaining("noise multiplier must be >= 0");
        assertThatThrownBy(() -> new DpSgd(1.0, Double.NaN, 8)).hasMessageContaining("noise multiplier");
        assertThatThrownBy(() -> new DpSgd(1.0, 1.0, 0)).hasMessageContaining("expected batch size must be >= 1");
    }

    private static BatchBuffers batch(Architecture arch, float[][] x, float[][] y) {
        BatchBuffers batch = new BatchBuffers(x.length, arch.layerSizes());
        batch.x.assign(matrix(x));
        batch.y.assign(matrix(y));
        return batch;
    }

    private static float[][] randomRows(int m, int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[m][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        return x;
    }

    private static INDArray matrix(float[][] rows) {
        return Nd4j.create(rows).castTo(DataType.FLOAT);
    }

    private static double[] flatten(ModelWeights w) {
        List<Double> values = new ArrayList<>();
        for (Tensor t : w.tensors()) {
            for (float v : t.values()) {
                values.add((double) v);
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static ModelWeights withOutputBias(ModelWeights w, float bias) {
        List<Tensor> out = new ArrayList<>(w.tensors());
        Tensor last = out.get(out.size() - 1);
        float[] v = new float[last.size()];
        Arrays.fill(v, bias);
        out.set(out.size() - 1, last.withValues(v));
        return new ModelWeights(out);
    }

    private static int[] filled(int n, int label) {
        int[] y = new int[n];
        Arrays.fill(y, label);
        return y;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double median(double[] v) {
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElseThrow();
    }

    private static double std(double[] v) {
        double mu = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - mu) * (x - mu);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
