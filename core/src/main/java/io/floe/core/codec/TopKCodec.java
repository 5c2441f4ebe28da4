package io.floe.core.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

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

    /**
     * The {@code k} values of largest magnitude among all values of {@code tensors}, as increasing
     * indices into each tensor (a tensor may keep none). Ties in magnitude go to the earlier tensor,
     * then the smaller index, as if the tensors were one vector laid end to end: top-k of the whole
     * update (Stich, Cordonnier, Jaggi 2018, eq. 2), not of each layer. O(n log n) for n values.
     */
    public static int[][] topIndices(List<float[]> tensors, int k) {
        int n = 0;
        for (float[] t : tensors) {
            n = Math.addExact(n, t.length);
        }
        int[][] out = new int[tensors.size()][];
        if (k <= 0 || n == 0) {
            Arrays.setAll(out, i -> new int[0]);
            return out;
        }
        float[] magnitudes = new float[n];
        int at = 0;
        for (float[] t : tensors) {
            for (float v : t) {
                magnitudes[at++] = magnitude(v);
            }
        }
        Arrays.sort(magnitudes);
        float threshold = magnitudes[n - Math.min(k, n)];
        // all values above the threshold, then values equal to it in vector order until k are kept
        int above = n - upperBound(magnitudes, threshold);
        int ties = Math.min(k, n) - above;
        for (int i = 0; i < tensors.size(); i++) {
            float[] t = tensors.get(i);
            int[] kept = new int[t.length];
            int count = 0;
            for (int j = 0; j < t.length; j++) {
                float m = magnitude(t[j]);
                if (m > threshold || m == threshold && ties-- > 0) {
                    kept[count++] = j;
                }
            }
            out[i] = Arrays.copyOf(kept, count);
        }
        return out;
    }

    /** |v|, with NaN above every number (as {@link Float#compare} orders it in the per-tensor selection). */
    private static float magnitude(float v) {
        return Float.isNaN(v) ? Float.POSITIVE_INFINITY : Math.abs(v);
    }

    /** The first position in sorted {@code a} whose value is greater than {@code key}. */
    private static int upperBound(float[] a, float key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
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

    /** The kept values of a TOPK_F32 tensor or chunk: increasing indices and their values. */
    public record Sparse(int[] indices, float[] values) {
        /** One past the largest index (0 when nothing is kept): the least count the data fits. */
        public int span() {
            return indices.length == 0 ? 0 : indices[indices.length - 1] + 1;
        }
    }

    /**
     * Decodes the kept values alone, in O(k): what a sparse fold needs.
     *
     * @throws IllegalArgumentException when k, an index or the length does not fit {@code expectedCount}
     */
    public static Sparse decodeSparse(ByteBuffer bytes, long expectedCount) {
        ByteBuffer view = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long k = readVarint(view);
        if (expectedCount < 0 || k > expectedCount || k > view.remaining()) {
            throw new IllegalArgumentException("TOPK_F32 keeps " + k + " of " + expectedCount + " values in " + bytes.remaining() + " bytes");
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
        float[] values = new float[(int) k];
        for (int i = 0; i < k; i++) {
            values[i] = view.getFloat();
        }
        return new Sparse(indices, values);
    }

    /**
     * Decodes into a dense tensor of {@code expectedCount} values.
     *
     * @throws IllegalArgumentException when k, an index or the length does not fit {@code expectedCount}
     */
    public static float[] decode(ByteBuffer bytes, long expectedCount) {
        Sparse kept = decodeSparse(bytes, expectedCount);
        float[] out = new float[(int) expectedCount];
        for (int i = 0; i < kept.indices.length; i++) {
            out[kept.indices[i]] = kept.values[i];
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
