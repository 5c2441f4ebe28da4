package io.floe.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelWeightsTest {

    private static Tensor t(String name, int[] shape, float... values) {
        return new Tensor(name, shape, values);
    }

    private static ModelWeights weights(float w0, float w1, float w2, float w3, float b0) {
        return new ModelWeights(List.of(
                t("W", new int[] {2, 2}, w0, w1, w2, w3),
                t("b", new int[] {1}, b0)));
    }

    @Test
    void keepsTensorOrderAndLooksUpByName() {
        // Prepare
        ModelWeights w = weights(1, 2, 3, 4, 5);

        // Execute / Assert
        assertThat(w.tensors()).extracting(Tensor::name).containsExactly("W", "b");
        assertThat(w.get("b").values()).containsExactly(5f);
        assertThat(w.has("W")).isTrue();
        assertThat(w.has("x")).isFalse();
        assertThat(w.tensorCount()).isEqualTo(2);
        assertThat(w.parameterCount()).isEqualTo(5);
    }

    @Test
    void getOfUnknownNameListsTheKnownOnes() {
        // Execute / Assert
        assertThatThrownBy(() -> weights(1, 2, 3, 4, 5).get("x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'")
                .hasMessageContaining("[W, b]");
    }

    @Test
    void rejectsDuplicateTensorNames() {
        // Prepare
        List<Tensor> tensors = List.of(Tensor.zeros("W", 2), Tensor.zeros("b", 1), Tensor.zeros("W", 2));

        // Execute / Assert
        assertThatThrownBy(() -> new ModelWeights(tensors))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate tensor name 'W'");
    }

    @Test
    void minusIsElementWiseDifference() {
        // Prepare
        ModelWeights local = weights(1.5f, 2f, -1f, 0f, 10f);
        ModelWeights base = weights(0.5f, 3f, -1f, 2f, 4f);

        // Execute
        ModelWeights delta = local.minus(base);

        // Assert
        assertThat(delta.get("W").values()).containsExactly(1f, -1f, 0f, -2f);
        assertThat(delta.get("b").values()).containsExactly(6f);
        assertThat(delta.get("W").shape()).containsExactly(2, 2);
    }

    @Test
    void plusScaledAddsScaledDelta() {
        // Prepare
        ModelWeights global = weights(1f, 2f, 3f, 4f, 5f);
        ModelWeights delta = weights(2f, -4f, 0.5f, 0f, 1f);

        // Execute
        ModelWeights next = global.plusScaled(delta, 0.5f);

        // Assert: 1 + 0.5*2, 2 + 0.5*(-4), 3 + 0.5*0.5, 4 + 0, 5 + 0.5*1
        assertThat(next.get("W").values()).containsExactly(2f, 0f, 3.25f, 4f);
        assertThat(next.get("b").values()).containsExactly(5.5f);
        assertThat(global.get("W").values()).as("operands are not modified").containsExactly(1f, 2f, 3f, 4f);
    }

    @Test
    void sameLayoutNeedsSameNamesOrderAndShapes() {
        // Prepare
        ModelWeights w = weights(1, 2, 3, 4, 5);
        ModelWeights sameLayoutOtherValues = weights(0, 0, 0, 0, 0);
        ModelWeights otherOrder = new ModelWeights(List.of(Tensor.zeros("b", 1), Tensor.zeros("W", 2, 2)));
        ModelWeights otherShape = new ModelWeights(List.of(Tensor.zeros("W", 4), Tensor.zeros("b", 1)));
        ModelWeights otherName = new ModelWeights(List.of(Tensor.zeros("W", 2, 2), Tensor.zeros("bias", 1)));
        ModelWeights fewer = new ModelWeights(List.of(Tensor.zeros("W", 2, 2)));

        // Execute / Assert
        assertThat(w.sameLayout(sameLayoutOtherValues)).isTrue();
        assertThat(w.sameLayout(otherOrder)).isFalse();
        assertThat(w.sameLayout(otherShape)).isFalse();
        assertThat(w.sameLayout(otherName)).isFalse();
        assertThat(w.sameLayout(fewer)).isFalse();
        assertThat(fewer.sameLayout(w)).isFalse();
    }

    @Test
    void arithmeticOnDifferentLayoutsIsRefused() {
        // Prepare
        ModelWeights w = weights(1, 2, 3, 4, 5);
        ModelWeights otherShape = new ModelWeights(List.of(Tensor.zeros("W", 4), Tensor.zeros("b", 1)));

        // Execute / Assert
        assertThatThrownBy(() -> w.minus(otherShape))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("W[2, 2]")
                .hasMessageContaining("W[4]");
        assertThatThrownBy(() -> w.plusScaled(otherShape, 1f)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copySharesNoArrays() {
        // Prepare
        ModelWeights w = weights(1, 2, 3, 4, 5);

        // Execute
        ModelWeights copy = w.copy();
        copy.get("W").values()[0] = 99f;

        // Assert
        assertThat(w.get("W").values()[0]).isEqualTo(1f);
        assertThat(copy).isNotEqualTo(w);
    }

    @Test
    void equalWhenTensorsEqual() {
        // Execute / Assert
        assertThat(weights(1, 2, 3, 4, 5)).isEqualTo(weights(1, 2, 3, 4, 5))
                .hasSameHashCodeAs(weights(1, 2, 3, 4, 5));
        assertThat(weights(1, 2, 3, 4, 5)).isNotEqualTo(weights(1, 2, 3, 4, 6));
    }
}
