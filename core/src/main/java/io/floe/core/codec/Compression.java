package io.floe.core.codec;

import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How a trainer encodes the tensors of its update: {@code none} (dense float32), {@code fp16},
 * {@code int8} (stochastic rounding, unbiased) or {@code topk:ratio=R}: the ceil(R * n) values of
 * largest magnitude of the whole update of n values ({@link Scope#MODEL}, the default), or with
 * {@code topk:ratio=R,scope=tensor} of each tensor on its own ({@link Scope#TENSOR}). The spec
 * string travels in the model's client training config, so an operator changes it like any other
 * training option; every reader decodes every encoding ({@link #decode}): either scope sends
 * TOPK_F32 tensors, and only the number kept in each differs.
 *
 * <p>Why the whole update by default: with a per-tensor budget a small layer gets ceil(R * n_l)
 * values a round whatever its share of the update's mass. On Fashion-MNIST's mlp(784,100,10) at
 * 1% the output layer (1,010 of 79,510 values, where label skew shows) sent 11 values a round; its
 * error-feedback memory grew to 4-10x the mean of the first layer's and was sent later as large
 * stale steps, and error feedback ended 3 points below none (docs/compression.md). Selecting over
 * the whole vector is the top-k operator that the error-feedback analyses assume (Stich,
 * Cordonnier, Jaggi 2018, "Sparsified SGD with Memory", eq. 2; Basu et al. 2019, "Qsparse-local-SGD",
 * NeurIPS, for local SGD steps between rounds as here).
 *
 * <pre>{@code
 * Compression c = Compression.parse("topk:ratio=0.01");
 * List<byte[]> data = c.encodeUpdate(List.of(w1, b1, w2, b2), random);   // what the update carries
 * float[] seen = Compression.decode(c.encoding(), ByteBuffer.wrap(data.get(0)), w1.length);  // what the job folds
 * }</pre>
 */
public record Compression(TensorEncoding encoding, double ratio, Scope scope) {
    public static final Compression NONE = new Compression(TensorEncoding.DENSE_F32, 1);

    /** Over what top-k selects its values; only {@code topk} has a scope other than {@link #MODEL}. */
    public enum Scope {
        /** The largest values of the whole update: a tensor keeps as many as rank among them (maybe none). */
        MODEL,
        /** The largest ceil(R * n_t) values of each tensor of n_t values, at least one (layer-wise). */
        TENSOR
    }

    public Compression {
        if (encoding == TensorEncoding.TOPK_F32 && !(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException("topk ratio must be in (0, 1], was " + ratio);
        }
        if (scope == null || encoding != TensorEncoding.TOPK_F32) {
            scope = Scope.MODEL;
        }
    }

    /** {@code encoding} at {@code ratio} over the whole update. */
    public Compression(TensorEncoding encoding, double ratio) {
        this(encoding, ratio, Scope.MODEL);
    }

    /**
     * @param spec {@code none}, {@code fp16}, {@code int8}, {@code topk:ratio=R} or
     *     {@code topk:ratio=R,scope=tensor} ({@code scope=model} is the default); null or blank is none
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
            String[] parts = s.substring("topk:ratio=".length()).split(",", -1);
            Scope scope = Scope.MODEL;
            if (parts.length == 2 && parts[1].equals("scope=tensor")) {
                scope = Scope.TENSOR;
            } else if (parts.length > 2 || parts.length == 2 && !parts[1].equals("scope=model")) {
                throw new IllegalArgumentException("compression '" + spec + "': after the ratio only ,scope=model (the default)"
                        + " or ,scope=tensor may follow");
            }
            try {
                return new Compression(TensorEncoding.TOPK_F32, Double.parseDouble(parts[0]), scope);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("compression '" + spec + "': the ratio is not a number");
            }
        }
        throw new IllegalArgumentException("unknown compression '" + spec + "'; use none, fp16, int8, topk:ratio=R (0 < R <= 1)"
                + " or topk:ratio=R,scope=tensor");
    }

    /** The spec string {@link #parse} reads back. */
    public String toSpec() {
        return switch (encoding) {
            case DENSE_F32 -> "none";
            case FP16 -> "fp16";
            case INT8 -> "int8";
            case TOPK_F32 -> "topk:ratio=" + ratio + (scope == Scope.TENSOR ? ",scope=tensor" : "");
        };
    }

    public boolean isNone() {
        return encoding == TensorEncoding.DENSE_F32;
    }

    /**
     * The bytes of each tensor of one update, in order: {@link #encode} of each tensor, except that
     * top-k over the {@link Scope#MODEL model} keeps the ceil(R * n) values of largest magnitude
     * among all n values ({@link TopKCodec#topIndices(List, int)}). {@code random} draws int8's
     * stochastic rounding, tensor after tensor.
     */
    public List<byte[]> encodeUpdate(List<float[]> tensors, RandomGenerator random) {
        List<byte[]> out = new ArrayList<>(tensors.size());
        if (encoding == TensorEncoding.TOPK_F32 && scope == Scope.MODEL) {
            long n = 0;
            for (float[] t : tensors) {
                n += t.length;
            }
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("top-k over a model of " + n + " values: more than 2^31 - 1");
            }
            int[][] kept = TopKCodec.topIndices(tensors, TopKCodec.kept((int) n, ratio));
            for (int i = 0; i < tensors.size(); i++) {
                out.add(TopKCodec.encode(tensors.get(i), kept[i]));
            }
            return out;
        }
        for (float[] t : tensors) {
            out.add(encode(t, random));
        }
        return out;
    }

    /**
     * The bytes of {@code values}, one tensor alone, in this encoding (top-k: of this tensor, whatever
     * the scope); {@code random} draws int8's stochastic rounding.
     */
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
