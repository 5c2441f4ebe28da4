package io.floe.core.chunk;

import io.floe.core.codec.Fp16Codec;
import io.floe.core.codec.Int8Codec;
import io.floe.core.codec.TopKCodec;
import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One update chunk's values as its encoding carries them (issue 15 on the chunked path): DENSE_F32
 * as a view of the record's bytes (no copy), TOPK_F32 as its k kept values (folded in O(k), not
 * O(chunk)), FP16 and INT8 decoded to float32 (an INT8 chunk carries its own offset and scale,
 * {@link Int8Codec}'s eight-byte header, so every chunk is quantized on its own range). Routing
 * reads a chunk this way to check it and learn how many values it spans ({@link #span}: the
 * coordinator compares that with the layout); a folder reads it again to fold, keep or take it out.
 * A sparse chunk folds to the same bits as its dense form ({@link ExactSum#addSparse}).
 */
public final class ChunkValues {
    private final TensorEncoding encoding;
    /** DENSE_F32: little-endian float32 bytes; null otherwise. */
    private final ByteBuffer dense;
    /** FP16 and INT8: the decoded values; null otherwise. */
    private final float[] decoded;
    /** TOPK_F32: the kept values; null otherwise. */
    private final TopKCodec.Sparse sparse;

    private ChunkValues(TensorEncoding encoding, ByteBuffer dense, float[] decoded, TopKCodec.Sparse sparse) {
        this.encoding = encoding;
        this.dense = dense;
        this.decoded = decoded;
        this.sparse = sparse;
    }

    /**
     * Reads {@code data} in {@code encoding}.
     *
     * @param expectedValues the chunk's length in the layout, or -1 where it is not known (routing):
     *     then a dense or fp16 chunk spans what its bytes hold, and a top-k chunk up to its last index
     * @throws IllegalArgumentException when the bytes do not fit the encoding (or the expected length)
     */
    public static ChunkValues read(TensorEncoding encoding, ByteBuffer data, int expectedValues) {
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return switch (encoding) {
            case DENSE_F32 -> {
                if (d.remaining() % 4 != 0 || (expectedValues >= 0 && d.remaining() != 4L * expectedValues)) {
                    throw new IllegalArgumentException(d.remaining() + " bytes of DENSE_F32 data"
                            + (expectedValues >= 0 ? " where " + expectedValues + " float32 values were expected" : " are not whole float32 values"));
                }
                yield new ChunkValues(encoding, d, null, null);
            }
            case FP16 -> {
                if (d.remaining() % 2 != 0) {
                    throw new IllegalArgumentException(d.remaining() + " bytes of FP16 data are not whole binary16 values");
                }
                yield new ChunkValues(encoding, null, Fp16Codec.decode(d, expectedValues >= 0 ? expectedValues : d.remaining() / 2), null);
            }
            case TOPK_F32 -> new ChunkValues(encoding, null, null,
                    TopKCodec.decodeSparse(d, expectedValues >= 0 ? expectedValues : Integer.MAX_VALUE));
            case INT8 -> {
                if (d.remaining() < 8) {
                    throw new IllegalArgumentException(d.remaining() + " bytes of INT8 data: not even its offset and scale");
                }
                yield new ChunkValues(encoding, null, Int8Codec.decode(d, expectedValues >= 0 ? expectedValues : d.remaining() - 8), null);
            }
        };
    }

    public TensorEncoding encoding() {
        return encoding;
    }

    /** Values the chunk covers: all of a dense, fp16 or int8 chunk, up to the last kept index of a top-k one. */
    public int span() {
        return switch (encoding) {
            case DENSE_F32 -> dense.remaining() / 4;
            case TOPK_F32 -> sparse.span();
            default -> decoded.length;
        };
    }

    /** True when a chunk of the layout's {@code length} can carry these values (top-k: up to, the others: exactly). */
    public boolean fits(int length) {
        return encoding == TensorEncoding.TOPK_F32 ? span() <= length : span() == length;
    }

    /** Why the values cannot be folded (not finite, |x| >= 2^32), or null ({@link ExactSum#checkValue}). */
    public String problem() {
        return switch (encoding) {
            case DENSE_F32 -> ChunkData.problem(dense);
            case TOPK_F32 -> ChunkData.problem(sparse.values());
            default -> ChunkData.problem(decoded);
        };
    }

    /**
     * The sum of the squared values, in double, always in the same order (four interleaved partial
     * sums over a dense chunk, added pairwise at the end): the chunk's share of its update's squared
     * L2 norm, the same bits wherever it is computed.
     */
    public double squaredNorm() {
        return switch (encoding) {
            case DENSE_F32 -> {
                int base = dense.position();
                int n = dense.remaining() / 4;
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int i = 0;
                for (; i + 3 < n; i += 4) {
                    double a = dense.getFloat(base + 4 * i);
                    double b = dense.getFloat(base + 4 * i + 4);
                    double c = dense.getFloat(base + 4 * i + 8);
                    double d = dense.getFloat(base + 4 * i + 12);
                    s0 += a * a;
                    s1 += b * b;
                    s2 += c * c;
                    s3 += d * d;
                }
                for (; i < n; i++) {
                    double a = dense.getFloat(base + 4 * i);
                    s0 += a * a;
                }
                yield (s0 + s1) + (s2 + s3);
            }
            case TOPK_F32 -> sumOfSquares(sparse.values());
            default -> sumOfSquares(decoded);
        };
    }

    private static double sumOfSquares(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s;
    }

    /** Adds {@code weight * (float) (x / divisor)} for every value into {@code sum}: O(k) for a top-k chunk. */
    public void foldInto(ExactSum sum, long weight, double divisor) {
        switch (encoding) {
            case DENSE_F32 -> sum.add(weight, dense, divisor);
            case TOPK_F32 -> {
                float[] v = sparse.values();
                if (divisor != 1.0) {
                    v = v.clone();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (v[i] / divisor); // as the dense fold rounds each quotient
                    }
                }
                sum.addSparse(weight, sparse.indices(), v);
            }
            default -> sum.add(weight, ByteBuffer.wrap(ChunkData.encode(decoded, 0, decoded.length)), divisor);
        }
    }

    /** The chunk as {@code length} dense float32 values (what a coordinate-wise rule keeps). */
    public float[] dense(int length) {
        return switch (encoding) {
            case DENSE_F32 -> ChunkData.decode(dense, length);
            case TOPK_F32 -> {
                float[] out = new float[length];
                for (int i = 0; i < sparse.indices().length; i++) {
                    out[sparse.indices()[i]] = sparse.values()[i];
                }
                yield out;
            }
            default -> decoded.clone();
        };
    }
}
