package io.floe.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void holdsNameShapeAndValues() {
        // Execute
        Tensor t = new Tensor("dense0.W", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});

        // Assert
        assertThat(t.name()).isEqualTo("dense0.W");
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.size()).isEqualTo(6);
        assertThat(t.values()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void rejectsValuesThatDoNotFillTheShape() {
        // Execute / Assert
        assertThatThrownBy(() -> new Tensor("w", new int[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w'")
                .hasMessageContaining("[2, 3]")
                .hasMessageContaining("6 elements")
                .hasMessageContaining("5 values");
    }

    @Test
    void rejectsNegativeDimension() {
        // Execute / Assert
        assertThatThrownBy(() -> new Tensor("w", new int[] {2, -1}, new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative dimension");
    }

    @Test
    void rejectsShapeWhoseElementCountOverflowsALong() {
        // Prepare: 65536^4 = 2^64 wraps to 0 in long arithmetic
        int[] shape = {65536, 65536, 65536, 65536};

        // Execute / Assert: a wrapped count would let an empty array pass as a huge tensor
        assertThatThrownBy(() -> new Tensor("w", shape, new float[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overflow");
    }

    @Test
    void elementCountOfScalarAndEmptyShapes() {
        // Execute / Assert
        assertThat(Tensor.elementCount(new int[] {})).isEqualTo(1);
        assertThat(Tensor.elementCount(new int[] {3, 0, 5})).isZero();
        assertThat(Tensor.elementCount(new int[] {4, 5})).isEqualTo(20);
        assertThat(Tensor.elementCount(new int[] {65536, 65536, 65536, 65536, 0})).isZero();
        assertThat(Tensor.elementCount(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}))
                .isEqualTo((long) Integer.MAX_VALUE * Integer.MAX_VALUE);
    }

    @Test
    void zerosHasTheShapeAndOnlyZeros() {
        // Execute
        Tensor t = Tensor.zeros("b", 3);

        // Assert
        assertThat(t.shape()).containsExactly(3);
        assertThat(t.values()).containsExactly(0f, 0f, 0f);
    }

    @Test
    void shapeIsDefensivelyCopied() {
        // Prepare
        int[] shape = {2, 2};
        Tensor t = new Tensor("w", shape, new float[4]);

        // Execute
        shape[0] = 4;
        t.shape()[1] = 7;

        // Assert
        assertThat(t.shape()).containsExactly(2, 2);
    }

    @Test
    void allFiniteIsFalseForNanAndInfinity() {
        // Execute / Assert
        assertThat(new Tensor("a", new int[] {2}, new float[] {1f, -3.5f}).allFinite()).isTrue();
        assertThat(new Tensor("a", new int[] {2}, new float[] {1f, Float.NaN}).allFinite()).isFalse();
        assertThat(new Tensor("a", new int[] {2}, new float[] {Float.POSITIVE_INFINITY, 0f}).allFinite()).isFalse();
        assertThat(new Tensor("a", new int[] {1}, new float[] {Float.NEGATIVE_INFINITY}).allFinite()).isFalse();
    }

    @Test
    void sameShapeComparesDimensionsNotElementCount() {
        // Prepare
        Tensor a = Tensor.zeros("a", 2, 3);
        Tensor b = Tensor.zeros("b", 2, 3);
        Tensor c = Tensor.zeros("c", 3, 2);

        // Execute / Assert
        assertThat(a.sameShape(b)).isTrue();
        assertThat(a.sameShape(c)).isFalse();
    }

    @Test
    void withValuesKeepsNameAndShapeAndChecksLength() {
        // Prepare
        Tensor t = Tensor.zeros("w", 1, 2);

        // Execute
        Tensor replaced = t.withValues(new float[] {7f, 8f});

        // Assert
        assertThat(replaced.name()).isEqualTo("w");
        assertThat(replaced.shape()).containsExactly(1, 2);
        assertThat(replaced.values()).containsExactly(7f, 8f);
        assertThat(t.values()).containsExactly(0f, 0f);
        assertThatThrownBy(() -> t.withValues(new float[3])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalityIsByNameShapeAndValues() {
        // Prepare
        Tensor t = new Tensor("w", new int[] {2}, new float[] {1f, 2f});

        // Execute / Assert
        assertThat(t).isEqualTo(new Tensor("w", new int[] {2}, new float[] {1f, 2f}))
                .hasSameHashCodeAs(new Tensor("w", new int[] {2}, new float[] {1f, 2f}));
        assertThat(t).isNotEqualTo(new Tensor("v", new int[] {2}, new float[] {1f, 2f}));
        assertThat(t).isNotEqualTo(new Tensor("w", new int[] {1, 2}, new float[] {1f, 2f}));
        assertThat(t).isNotEqualTo(new Tensor("w", new int[] {2}, new float[] {1f, 2.5f}));
    }
}
