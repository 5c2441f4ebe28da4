package io.floe.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.random.RandomGenerator;

/**
 * The INT8 tensor encoding: a float32 {@code offset} and a float32 {@code scale} (little-endian),
 * then one unsigned byte {@code q} per value, row-major; the value is {@code offset + scale * q}.
 * A quarter of float32's bytes plus eight.
 *
 * <p>The writer sets {@code offset} to the tensor's minimum and {@code scale} to its range / 255,
 * and rounds stochastically: {@code q = floor((v - offset) / scale + u)} with u uniform in [0, 1),
 * so that the decoded value is unbiased, {@code E[decode] = v} (the quantizer of QSGD, Alistarh et
 * al. 2017, with 256 levels; Suresh et al. 2017 analyse it for distributed mean estimation). Each
 * decoded value is within one {@code scale} of the original. A constant tensor has scale 0.
 */
public final class Int8Codec {
    private static final int HEADER = 8;
    private static final int LEVELS = 255;

    private Int8Codec() {
    }

    /** @param random the stochastic rounding's draws (the trainer seeds it) */
    public static byte[] encode(float[] values, RandomGenerator random) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (values.length == 0) {
            min = 0;
            max = 0;
        }
        if (!Float.isFinite(min) || !Float.isFinite(max)) {
            throw new IllegalArgumentException("INT8 encodes finite values only");
        }
        float scale = (float) (((double) max - min) / LEVELS);
        ByteBuffer buf = ByteBuffer.allocate(HEADER + values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putFloat(min).putFloat(scale);
        for (float v : values) {
            int q = 0;
            if (scale > 0) {
                double level = ((double) v - min) / scale;
                q = (int) Math.floor(level + random.nextDouble());
                q = Math.max(0, Math.min(LEVELS, q));
            }
            buf.put((byte) q);
        }
        return buf.array();
    }

    /** @throws IllegalArgumentException when the byte length is not {@code 8 + expectedCount} or the header is not finite */
    public static float[] decode(ByteBuffer bytes, long expectedCount) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (expectedCount < 0 || view.remaining() != HEADER + expectedCount) {
            throw new IllegalArgumentException("INT8 data has " + view.remaining() + " bytes, expected " + (HEADER + expectedCount)
                    + " (offset, scale and " + expectedCount + " bytes)");
        }
        float offset = view.getFloat();
        float scale = view.getFloat();
        if (!Float.isFinite(offset) || !Float.isFinite(scale) || scale < 0) {
            throw new IllegalArgumentException("INT8 offset " + offset + " and scale " + scale + " must be finite, scale >= 0");
        }
        float[] out = new float[(int) expectedCount];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (offset + (double) scale * (view.get() & 0xff));
        }
        return out;
    }
}
