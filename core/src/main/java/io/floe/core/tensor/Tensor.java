package io.floe.core.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named float32 tensor: a model parameter or a delta of one. Values are row-major.
 *
 * <p>Tensors are value objects: the constructor copies nothing, so callers that keep the array
 * must not change it afterwards; every operation here returns a new tensor.
 */
public final class Tensor {
    private final String name;
    private final int[] shape;
    private final float[] values;

    public Tensor(String name, int[] shape, float[] values) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape").clone();
        this.values = Objects.requireNonNull(values, "values");
        long expected = elementCount(shape);
        if (expected != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + " (" + expected + " elements) but " + values.length + " values");
        }
    }

    /** A tensor of zeros with the given shape. */
    public static Tensor zeros(String name, int... shape) {
        return new Tensor(name, shape, new float[Math.toIntExact(elementCount(shape))]);
    }

    /** Number of elements a shape holds; rejects negative dimensions and counts that overflow a long. */
    public static long elementCount(int[] shape) {
        long n = 1;
        boolean hasZero = false;
        boolean overflows = false;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            if (d == 0) {
                hasZero = true;
            } else if (n > Long.MAX_VALUE / d) {
                overflows = true;
            } else {
                n *= d;
            }
        }
        if (hasZero) {
            return 0;
        }
        // unchecked, 65536^4 = 2^64 wraps to 0 and would let empty data pass as a huge tensor
        if (overflows) {
            throw new IllegalArgumentException("element count of shape " + Arrays.toString(shape) + " overflows a long");
        }
        return n;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The backing values (not a copy: treat as read-only). */
    public float[] values() {
        return values;
    }

    public int size() {
        return values.length;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** True when every value is neither NaN nor infinite. */
    public boolean allFinite() {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    public Tensor withValues(float[] newValues) {
        return new Tensor(name, shape, newValues);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Tensor t)) {
            return false;
        }
        return name.equals(t.name) && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
