package io.floe.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void parsesAndPrintsCanonicalDescriptors() {
        assertThat(Architecture.parse("logreg(30)").toString()).isEqualTo("logreg(30)");
        assertThat(Architecture.parse("  MLP( 30 , 16,1 ) ").toString()).isEqualTo("mlp(30,16,1)");
        assertThat(Architecture.parse("mlp(30,16,1)")).isEqualTo(Architecture.mlp(30, 16, 1));
        assertThat(Architecture.parse("logreg(4)")).isEqualTo(Architecture.logisticRegression(4))
                .isNotEqualTo(Architecture.mlp(4, 1));
    }

    @Test
    void namesLayersInWireOrder() {
        ModelWeights zeros = Architecture.parse("mlp(3,4,2)").zeroWeights();

        assertThat(zeros.tensors()).extracting(Tensor::name)
                .containsExactly("dense0.W", "dense0.b", "dense1.W", "dense1.b");
        assertThat(zeros.tensors()).extracting(Tensor::shape)
                .containsExactly(new int[] {3, 4}, new int[] {4}, new int[] {4, 2}, new int[] {2});
        // 3*4 + 4 + 4*2 + 2
        assertThat(Architecture.parse("mlp(3,4,2)").parameterCount()).isEqualTo(26);
        assertThat(Architecture.parse("mlp(30,16,1)").parameterCount()).isEqualTo(513);
        assertThat(Architecture.parse("logreg(30)").zeroWeights().describe())
                .isEqualTo("[dense0.W[30, 1], dense0.b[1]]");
    }

    @Test
    void exposesSizes() {
        Architecture a = Architecture.parse("mlp(30,16,8,1)");

        assertThat(a.inputDim()).isEqualTo(30);
        assertThat(a.outputDim()).isEqualTo(1);
        assertThat(a.layerCount()).isEqualTo(3);
        assertThat(a.layerSizes()).containsExactly(30, 16, 8, 1);
    }

    @Test
    void initialWeightsAreGlorotUniformAndSeeded() {
        Architecture a = Architecture.parse("mlp(30,16,1)");

        ModelWeights w = a.initialWeights(42);

        assertThat(w).isEqualTo(a.initialWeights(42));
        assertThat(w).isNotEqualTo(a.initialWeights(43));
        assertThat(a.accepts(w)).isTrue();
        // limits sqrt(6 / (30 + 16)) = 0.3612 and sqrt(6 / (16 + 1)) = 0.5941
        assertThat(maxAbs(w.get("dense0.W").values())).isLessThanOrEqualTo(0.36116f);
        assertThat(maxAbs(w.get("dense1.W").values())).isLessThanOrEqualTo(0.59410f);
        assertThat(w.get("dense0.b").values()).containsOnly(0f);
        assertThat(w.get("dense1.b").values()).containsOnly(0f);
        // values spread over the interval rather than sitting at zero
        float[] w0 = w.get("dense0.W").values();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : w0) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isLessThan(-0.3f);
        assertThat(max).isGreaterThan(0.3f);
    }

    @Test
    void cnnHasNiidBenchSimpleCnnTensorsInWireOrder() {
        Architecture a = Architecture.parse(" CNN(28, 28, 1, 10) ");

        assertThat(a).isEqualTo(Architecture.cnn(28, 28, 1, 10));
        assertThat(a.toString()).isEqualTo("cnn(28,28,1,10)");
        assertThat(a.isConvolutional()).isTrue();
        assertThat(a.isMulticlass()).isTrue();
        assertThat(a.inputDim()).isEqualTo(784);
        assertThat(a.outputDim()).isEqualTo(10);
        assertThat(a.imageShape()).containsExactly(28, 28, 1);
        // 28 -conv5-> 24 -pool-> 12 -conv5-> 8 -pool-> 4: 16 * 4 * 4 = 256 features
        assertThat(a.layerSizes()).containsExactly(256, 120, 84, 10);
        assertThat(a.zeroWeights().describe()).isEqualTo("[conv0.W[6, 1, 5, 5], conv0.b[6], conv1.W[16, 6, 5, 5],"
                + " conv1.b[16], dense0.W[256, 120], dense0.b[120], dense1.W[120, 84], dense1.b[84],"
                + " dense2.W[84, 10], dense2.b[10]]");
        // 150 + 6 + 2400 + 16 + 30720 + 120 + 10080 + 84 + 840 + 10, PyTorch's count for SimpleCNN
        assertThat(a.parameterCount()).isEqualTo(44426);
        // 16x16: 12 -> 6 -> 2 -> 1, so 16 features; 32x32x3 (CIFAR-10): 5x5x16 = 400
        assertThat(Architecture.cnn(16, 16, 1, 3).layerSizes()).containsExactly(16, 120, 84, 3);
        assertThat(Architecture.cnn(32, 32, 3, 10).layerSizes()).containsExactly(400, 120, 84, 10);
        assertThat(a).isNotEqualTo(Architecture.mlp(28, 28, 1, 10));
    }

    @Test
    void cnnInitialWeightsArePyTorchDefaultsAndSeeded() {
        Architecture a = Architecture.cnn(28, 28, 1, 10);

        ModelWeights w = a.initialWeights(7);

        assertThat(w).isEqualTo(a.initialWeights(7)).isNotEqualTo(a.initialWeights(8));
        assertThat(a.accepts(w)).isTrue();
        // U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for W and b: fan_in 25, 150, 256, 120, 84
        String[][] byFanIn = {{"conv0", "25"}, {"conv1", "150"}, {"dense0", "256"}, {"dense1", "120"},
            {"dense2", "84"}};
        for (String[] layer : byFanIn) {
            float bound = (float) (1.0 / Math.sqrt(Integer.parseInt(layer[1])));
            for (String suffix : new String[] {".W", ".b"}) {
                float[] v = w.get(layer[0] + suffix).values();
                assertThat(maxAbs(v)).as(layer[0] + suffix).isLessThanOrEqualTo(bound).isGreaterThan(0.5f * bound);
            }
        }
    }

    @Test
    void cnnRejectsImagesTooSmallAndOneClass() {
        assertThatThrownBy(() -> Architecture.parse("cnn(12,12,1,3)"))
                .hasMessageContaining("at least 16x16");
        assertThatThrownBy(() -> Architecture.parse("cnn(28,28,1,1)")).hasMessageContaining("K >= 2");
        assertThatThrownBy(() -> Architecture.parse("cnn(28,28,1)")).hasMessageContaining("exactly four sizes");
        assertThatThrownBy(() -> Architecture.mlp(3, 1).imageShape()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void acceptsOnlyItsOwnLayout() {
        assertThat(Architecture.parse("logreg(3)").accepts(Architecture.parse("mlp(3,1)").zeroWeights())).isTrue();
        assertThat(Architecture.parse("logreg(3)").accepts(Architecture.parse("logreg(4)").zeroWeights())).isFalse();
        assertThat(Architecture.parse("mlp(3,4,1)").accepts(Architecture.parse("mlp(3,5,1)").zeroWeights())).isFalse();
    }

    @Test
    void badDescriptorsSayWhatIsWrong() {
        assertThatThrownBy(() -> Architecture.parse("mlp(30)"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("architecture 'mlp(30)': an mlp needs an input and an output size")
                .hasMessageContaining("expected logreg(D), mlp(D,H1,...,K) or cnn(H,W,C,K)");
        assertThatThrownBy(() -> Architecture.parse("logreg(3,1)"))
                .hasMessageContaining("logreg takes exactly one size");
        assertThatThrownBy(() -> Architecture.parse("mlp(30,0,1)")).hasMessageContaining("sizes must be positive");
        assertThatThrownBy(() -> Architecture.parse("rnn(3)")).hasMessageContaining("unknown model kind 'rnn'");
        assertThatThrownBy(() -> Architecture.parse("mlp(30,x,1)"))
                .hasMessageContaining("size 2 'x' is not an integer");
        assertThatThrownBy(() -> Architecture.parse("mlp(30,,1)")).hasMessageContaining("size 2 '' is not an integer");
        assertThatThrownBy(() -> Architecture.parse("logreg30"))
                .hasMessageContaining("cannot parse architecture 'logreg30'");
        assertThatThrownBy(() -> Architecture.parse(null)).hasMessageContaining("null");
    }

    private static float maxAbs(float[] values) {
        float m = 0f;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
