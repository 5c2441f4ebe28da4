package io.floe.core.chunk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A chunk's bytes: little-endian float32 values (DENSE_F32), their SHA-256, and the check that they can be folded. */
public final class ChunkData {
    private ChunkData() {
    }

    /** {@code values[from, from + length)} as little-endian float32 bytes. */
    public static byte[] encode(float[] values, int from, int length) {
        ByteBuffer buf = ByteBuffer.allocate(4 * length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values, from, length);
        return buf.array();
    }

    /** The float32 values of {@code data}, whose length must be {@code 4 * expectedValues}. */
    public static float[] decode(ByteBuffer data, int expectedValues) {
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (d.remaining() != 4L * expectedValues) {
            throw new IllegalArgumentException(d.remaining() + " bytes where " + expectedValues + " float32 values ("
                    + 4L * expectedValues + " bytes) were expected");
        }
        float[] out = new float[expectedValues];
        d.asFloatBuffer().get(out);
        return out;
    }

    /** Why these values cannot be folded (the first bad one, by index), or null when all can ({@link ExactSum#checkValue}). */
    public static String problem(float[] values) {
        for (int i = 0; i < values.length; i++) {
            String p = ExactSum.checkValue(values[i]);
            if (p != null) {
                return p + " at value " + i + " of the chunk";
            }
        }
        return null;
    }

    /** As {@link #problem(float[])} for the little-endian float32 values in {@code data}'s remaining bytes, read in place. */
    public static String problem(ByteBuffer data) {
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (d.remaining() % 4 != 0) {
            return d.remaining() + " bytes of data are not whole float32 values";
        }
        int base = d.position();
        int n = d.remaining() / 4;
        // one pass without a branch per value: the largest exponent field (NaN and infinities have the largest)
        int worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, d.getInt(base + 4 * i) & 0x7F800000);
        }
        if (worst < (127 + 32) << 23) { // every |x| < 2^32 = MAX_ABS_VALUE
            return null;
        }
        for (int i = 0; i < n; i++) {
            float x = d.getFloat(base + 4 * i);
            if (!(Math.abs(x) < ExactSum.MAX_ABS_VALUE)) { // false for NaN too
                return ExactSum.checkValue(x) + " at value " + i + " of the chunk";
            }
        }
        return null;
    }

    /** SHA-256 of the remaining bytes of {@code data} (its position is left unchanged). */
    public static byte[] sha256(ByteBuffer data) {
        MessageDigest md = newDigest();
        md.update(data.duplicate());
        return md.digest();
    }

    public static byte[] sha256(byte[] data) {
        return newDigest().digest(data);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The Kafka key of chunk {@code index} of a model's update or model: {@code modelId#index}. */
    public static String key(String modelId, int index) {
        return modelId + "#" + index;
    }
}
