package io.floe.core.codec;

import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How a trainer encodes the tensors of its update: {@code none} (dense float32), {@code fp16},
 * {@code int8} (stochastic rounding, unbiased) or {@code topk:ratio=R} (the ceil(R * n) values of
 * largest magnitude of each tensor). The spec string travels in the model's client training config,
 * so an operator changes it like any other training option; every reader decodes every encoding
 * ({@link #decode}).
 *
 * <pre>{@code
 * Compression c = Compression.parse("topk:ratio=0.01");
 * byte[] data = c.encode(values, random);            // what the update carries
 * float[] seen = Compression.decode(c.encoding(), ByteBuffer.wrap(data), values.length);  // what the job folds
 * }</pre>
 */
public record Compression(TensorEncoding encoding, double ratio) {
    public static final Compression NONE = new Compression(TensorEncoding.DENSE_F32, 1);

    public Compression {
        if (encoding == TensorEncoding.TOPK_F32 && !(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("topk ratio must be in (0, 1], was " + ratio);
        }
    }

    /**
     * @param spec {@code none}, {@code fp16}, {@code int8} or {@code topk:ratio=R}; null or blank is none
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Compression parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("none")) {
            return NONE;
        }
        if (s.equals("fp16")) {
            return new Compression(TensorEncoding.FP16, 1);
        }
        if (s.equals("int8")) {
            return new Compression(TensorEncoding.INT8, 1);
        }
        if (s.startsWith("topk:ratio=")) {
            try {
                return new Compression(TensorEncoding.TOPK_F32, Double.parseDouble(s.substring("topk:ratio=".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("compression '" + spec + "': the ratio is not a number");
            }
        }
        throw new IllegalArgumentException("unknown compression '" + spec + "'; use none, fp16, int8 or topk:ratio=R (0 < R <= 1)");
    }

    /** The spec string {@link #parse} reads back. */
    public String toSpec() {
        return switch (encoding) {
            case DENSE_F32 -> "none";
            case FP16 -> "fp16";
            case INT8 -> "int8";
            case TOPK_F32 -> "topk:ratio=" + ratio;
        };
    }

    public boolean isNone() {
        return encoding == TensorEncoding.DENSE_F32;
    }

    /** The bytes of {@code values} in this encoding; {@code random} draws int8's stochastic rounding. */
    public byte[] encode(float[] values, RandomGenerator random) {
        return switch (encoding) {
            case DENSE_F32 -> DenseF32Codec.encode(values);
            case FP16 -> Fp16Codec.encode(values);
            case INT8 -> Int8Codec.encode(values, random);
            case TOPK_F32 -> TopKCodec.encode(values, TopKCodec.topIndices(values, TopKCodec.kept(values.length, ratio)));
        };
    }

    /**
     * Decodes {@code expectedCount} values of any encoding.
     *
     * @throws IllegalArgumentException when the bytes do not fit the encoding and count
     */
    public static float[] decode(TensorEncoding encoding, ByteBuffer data, long expectedCount) {
        return switch (encoding) {
            case DENSE_F32 -> DenseF32Codec.decode(data, expectedCount);
            case FP16 -> Fp16Codec.decode(data, expectedCount);
            case INT8 -> Int8Codec.decode(data, expectedCount);
            case TOPK_F32 -> TopKCodec.decode(data, expectedCount);
        };
    }
}
