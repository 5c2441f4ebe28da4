package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.trainer.data.Dataset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ConvNetworkTest {
    /** 16x16: 12x12x6 -> 6x6x6 -> 2x2x16 -> 1x1x16 = 16 features, the smallest image the cnn takes. */
    private static final Architecture TINY = Architecture.cnn(16, 16, 1, 3);

    @Test
    void weightsRoundTripBitExactly() {
        ModelWeights w = TINY.initialWeights(3);
        ConvNetwork net = new ConvNetwork(TINY, w);

        assertThat(net.weights()).isEqualTo(w);
        ModelWeights other = TINY.initialWeights(4);
        net.setWeights(other);
        assertThat(net.weights()).isEqualTo(other);
        assertThatThrownBy(() -> net.setWeights(Architecture.cnn(16, 16, 2, 3).zeroWeights()))
                .hasMessageContaining("do not fit cnn(16,16,1,3)");
    }

    @Test
    void forwardPassMatchesAPlainLoopReference() {
        // two channels and a non-square image, so the channel, row and column orders all matter
        Architecture arch = Architecture.cnn(17, 20, 2, 4);
        ModelWeights w = arch.initialWeights(21);
        float[][] x = randomImages(3, arch.inputDim(), 22L);
        LocalModel net = LocalModels.create(arch, w);

        float[] p = net.predictProba(new Dataset(x, new int[] {0, 1, 3}));

        for (int r = 0; r < x.length; r++) {
            double[] expected = ReferenceCnn.probabilities(arch, w, x[r]);
            for (int k = 0; k < 4; k++) {
                assertThat((double) p[4 * r + k]).as("row %d class %d", r, k).isCloseTo(expected[k], within(1e-5));
            }
        }
    }

    @Test
    void backwardPassMatchesCentralFiniteDifferencesInDouble() {
        ConvNetwork net = new ConvNetwork(TINY, TINY.initialWeights(11), DataType.DOUBLE);
        int rows = 4;
        INDArray x = Nd4j.create(toDouble(randomImages(rows, TINY.inputDim(), 5L)));
        INDArray y = Nd4j.create(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 1, 0}});

        net.lossAndGradients(x, y);
        ModelWeights analytic = net.gradients();
        double[][] grads = new double[analytic.tensorCount()][];
        for (int t = 0; t < grads.length; t++) {
            grads[t] = net.gradientsInDouble()[t];
        }

        INDArray[] params = net.flatParameters();
        SplittableRandom pick = new SplittableRandom(1L);
        double h = 1e-6;
        int checked = 0;
        for (int t = 0; t < params.length; t++) {
            long n = params[t].length();
            // every coordinate of the small tensors, 12 random ones of the large (the check is slow on a shared CPU)
            for (int s = 0; s < Math.min(n, 12); s++) {
                long k = n <= 12 ? s : pick.nextLong(n);
                double saved = params[t].getDouble(k);
                params[t].putScalar(k, saved + h);
                double up = net.lossAndGradients(x, y);
                params[t].putScalar(k, saved - h);
                double down = net.lossAndGradients(x, y);
                params[t].putScalar(k, saved);
                double numeric = (up - down) / (2 * h);
                assertThat(grads[t][(int) k]).as("%s[%d]", analytic.tensors().get(t).name(), k)
                        .isCloseTo(numeric, within(1e-7 + 1e-5 * Math.abs(numeric)));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(6 + 12 + 12 + 12 + 12 + 12 + 12 + 12 + 12 + 3);
    }

    @Test
    void learnsTenSeparableImageClassesInAFewEpochs() {
        Architecture arch = Architecture.cnn(16, 16, 1, 10);
        Dataset train = blobs(600, 31L);
        Dataset test = blobs(200, 32L);
        LocalModel net = LocalModels.create(arch, 1L);
        double before = net.accuracy(test);

        TrainingResult r = net.train(train, new TrainingConfig(0.05, 4, 32, 2L).withMomentum(0.9));

        assertThat(before).isLessThan(0.3);
        assertThat(r.steps()).isEqualTo(4 * 19); // ceil(600 / 32) = 19
        assertThat(net.accuracy(test)).isGreaterThan(0.9);
        float[] p = net.predictProba(test);
        float sum = 0f;
        for (int k = 0; k < 10; k++) {
            sum += p[k];
        }
        assertThat(sum).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void trainingIsDeterministicForASeedAndDpSgdIsRefused() {
        TrainingConfig cfg = new TrainingConfig(0.05, 2, 16, 9L);
        ConvNetwork a = new ConvNetwork(TINY, TINY.initialWeights(2));
        ConvNetwork b = new ConvNetwork(TINY, TINY.initialWeights(2));
        Dataset small = new Dataset(randomImages(20, 256, 3L), new int[20]);

        a.train(small, cfg);
        b.train(small, cfg);

        assertThat(b.weights()).isEqualTo(a.weights());
        assertThatThrownBy(() -> a.train(small, cfg, new DpSgd(1.0, 1.0, 8)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("DP-SGD");
        assertThatThrownBy(() -> a.train(new Dataset(randomImages(2, 255, 1L), new int[] {0, 1}), cfg))
                .hasMessageContaining("takes 256 features");
    }

    /** Class c: a bright 4x4 square at one of ten positions on a 16x16 image, plus N(0, 0.3^2) noise. */
    static Dataset blobs(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][256];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = random.nextInt(10);
            labels[i] = c;
            int top = (c / 5) * 8 + 2;
            int left = (c % 5) * 3;
            for (int p = 0; p < 256; p++) {
                x[i][p] = (float) (0.3 * random.nextGaussian());
            }
            for (int dy = 0; dy < 4; dy++) {
                for (int dx = 0; dx < 4; dx++) {
                    x[i][(top + dy) * 16 + left + dx] += 1f;
                }
            }
        }
        return new Dataset(x, labels);
    }

    private static float[][] randomImages(int n, int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) (2.0 * random.nextDouble() - 1.0);
            }
        }
        return x;
    }

    private static double[][] toDouble(float[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = x[i][j];
            }
        }
        return out;
    }
}
