package io.floe.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The DENSE_F32 tensor encoding: each value as an IEEE-754 float32, little-endian, row-major.
 *
 * <p>Little-endian is fixed by the wire contract (schemas/Tensor.avsc) so that readers on any
 * platform, in any language, decode the same bytes to the same floats.
 */
public final class DenseF32Codec {
    private DenseF32Codec() {
    }

    public static byte[] encode(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    /**
     * Decodes exactly {@code expectedCount} floats.
     *
     * @throws IllegalArgumentException when the byte length is not {@code 4 * expectedCount}
     */
    public static float[] decode(ByteBuffer bytes, long expectedCount) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long expectedBytes = expectedCount * Float.BYTES;
        if (expectedCount < 0 || view.remaining() != expectedBytes) {
            throw new IllegalArgumentException("DENSE_F32 data has " + view.remaining() + " bytes, expected "
                    + expectedBytes + " (" + expectedCount + " float32 values)");
        }
        float[] out = new float[(int) expectedCount];
        view.asFloatBuffer().get(out);
        return out;
    }

    public static float[] decode(byte[] bytes, long expectedCount) {
        return decode(ByteBuffer.wrap(bytes), expectedCount);
    }
}
