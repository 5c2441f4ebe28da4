package io.floe.core.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The TOPK_F32 tensor encoding (sparsification): the {@code k} values of largest magnitude, kept
 * exactly, every other value 0. Layout: {@code k} as an unsigned LEB128 varint, then the k indices
 * in increasing order, delta-coded as varints (the first index, then each gap minus one), then the
 * k values as float32 little-endian. A tensor of n values costs about {@code k * (4 + 1..3)} bytes.
 *
 * <p>Top-k sparsification as in Deep Gradient Compression (Lin et al., ICLR 2018) and Stich,
 * Cordonnier, Jaggi, "Sparsified SGD with Memory", NeurIPS 2018; what is not sent is the trainer's
 * to keep as error feedback. Ties in magnitude go to the smaller index.
 */
public final class TopKCodec {
    private TopKCodec() {
    }

    /** The number of values kept for a tensor of {@code n} values at {@code ratio}: ceil(ratio * n), at least 1 (0 for n = 0). */
    public static int kept(int n, double ratio) {
        if (!(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("top-k ratio must be in (0, 1], was " + ratio);
        }
        return n == 0 ? 0 : (int) Math.max(1, Math.min(n, Math.ceil(ratio * n)));
    }

    /** The indices of the {@code k} values of largest magnitude, increasing. */
    public static int[] topIndices(float[] values, int k) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(Math.abs(values[b]), Math.abs(values[a]));
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] top = new int[Math.min(k, values.length)];
        for (int i = 0; i < top.length; i++) {
            top[i] = order[i];
        }
        Arrays.sort(top);
        return top;
    }

    /** Encodes {@code values} at the (increasing, distinct) {@code indices}. */
    public static byte[] encode(float[] values, int[] indices) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(indices.length * 6 + 5);
        writeVarint(out, indices.length);
        int previous = -1;
        for (int index : indices) {
            if (index <= previous || index >= values.length) {
                throw new IllegalArgumentException("top-k indices must increase within [0, " + values.length + "), got " + index
                        + " after " + previous);
            }
            writeVarint(out, index - previous - 1);
            previous = index;
        }
        ByteBuffer kept = ByteBuffer.allocate(indices.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int index : indices) {
            kept.putFloat(values[index]);
        }
        out.writeBytes(kept.array());
        return out.toByteArray();
    }

    /**
     * Decodes into a dense tensor of {@code expectedCount} values.
     *
     * @throws IllegalArgumentException when k, an index or the length does not fit {@code expectedCount}
     */
    public static float[] decode(ByteBuffer bytes, long expectedCount) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long k = readVarint(view);
        if (expectedCount < 0 || k > expectedCount) {
            throw new IllegalArgumentException("TOPK_F32 keeps " + k + " of " + expectedCount + " values");
        }
        int[] indices = new int[(int) k];
        long index = -1;
        for (int i = 0; i < k; i++) {
            index += readVarint(view) + 1;
            if (index >= expectedCount) {
                throw new IllegalArgumentException("TOPK_F32 index " + index + " is outside the tensor's " + expectedCount + " values");
            }
            indices[i] = (int) index;
        }
        if (view.remaining() != k * Float.BYTES) {
            throw new IllegalArgumentException("TOPK_F32 has " + view.remaining() + " bytes of values, expected " + k * Float.BYTES);
        }
        float[] out = new float[(int) expectedCount];
        for (int i : indices) {
            out[i] = view.getFloat();
        }
        return out;
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long readVarint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("TOPK_F32 data ends inside a varint");
            }
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("TOPK_F32 varint longer than 5 bytes");
    }
}
