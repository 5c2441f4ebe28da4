package io.floe.core.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The FP16 tensor encoding: each value as an IEEE-754 binary16, little-endian, row-major; half the
 * bytes of float32. Encoding rounds to the nearest binary16 (ties to even); values beyond binary16's
 * range (|v| > 65504) become infinities, which the job refuses as non-finite, and tiny values become
 * binary16 subnormals or zero. Decoding is exact (every binary16 is a float32).
 *
 * <p>(Java 20 has {@code Float.floatToFloat16}; floe runs on Java 17, so the conversion is here.)
 */
public final class Fp16Codec {
    private Fp16Codec() {
    }

    public static byte[] encode(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putShort(toHalf(v));
        }
        return buf.array();
    }

    /** @throws IllegalArgumentException when the byte length is not {@code 2 * expectedCount} */
    public static float[] decode(ByteBuffer bytes, long expectedCount) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (expectedCount < 0 || view.remaining() != expectedCount * 2) {
            throw new IllegalArgumentException("FP16 data has " + view.remaining() + " bytes, expected " + expectedCount * 2
                    + " (" + expectedCount + " binary16 values)");
        }
        float[] out = new float[(int) expectedCount];
        for (int i = 0; i < out.length; i++) {
            out[i] = toFloat(view.getShort());
        }
        return out;
    }

    /** The binary16 nearest to {@code f} (ties to even), as its 16 bits. */
    static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            // subnormal: shift the mantissa with its implicit 1 into place, rounding to nearest even
            int m = mantissa | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rest > midpoint || (rest == midpoint && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, up to infinity: still the nearest
        }
        return (short) (sign | half);
    }

    /** The float32 equal to the binary16 {@code h}. */
    static float toFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal or zero: exact in float32
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
