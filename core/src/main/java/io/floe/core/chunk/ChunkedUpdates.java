package io.floe.core.chunk;

import io.floe.core.codec.Fp16Codec;
import io.floe.core.codec.Int8Codec;
import io.floe.core.codec.TopKCodec;
import io.floe.schema.TensorEncoding;
import java.util.Arrays;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.schema.ChunkManifest;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts an update's delta into chunk records and the manifest its header carries: the writer's side
 * of the chunked wire format. A trainer sends the header (a {@code ModelUpdate} with empty tensors
 * and this manifest in {@code chunks}) and then every {@link UpdateChunk}, each keyed by
 * {@link ChunkData#key}.
 *
 * <pre>{@code
 * ChunkedUpdates.Cut cut = ChunkedUpdates.cut(modelId, updateId, delta.flatten(), 1 << 20);
 * update.setChunks(cut.manifest());                 // then send update, then cut.chunks()
 * }</pre>
 */
public final class ChunkedUpdates {
    private ChunkedUpdates() {
    }

    /** An update cut into chunks: the manifest for its header and its chunk records in index order. */
    public record Cut(ChunkManifest manifest, List<UpdateChunk> chunks) {
    }

    /** Cuts the concatenated delta {@code values} into dense chunks of {@code chunkBytes}. */
    public static Cut cut(String modelId, String updateId, float[] values, int chunkBytes) {
        return cut(modelId, updateId, values, chunkBytes, TensorEncoding.DENSE_F32);
    }

    /**
     * Cuts {@code values} into chunks of {@code chunkBytes} (the layout counts float32 values,
     * whatever the encoding), each encoded as {@code encoding} says, and hashes what is sent:
     * DENSE_F32; FP16 (exact for values an FP16 tensor decoded to); TOPK_F32, the chunk's non-zero
     * values at indices local to the chunk (exact for a sparsified delta: top-k selects over the whole
     * update, and each chunk carries the kept values that fall in it, so it folds in O(k)); INT8, each
     * chunk quantized with its own offset and scale (its minimum and range / 255) and stochastic
     * rounding drawn from {@link #int8Rounding}, so the same update is cut into the same bytes.
     */
    public static Cut cut(String modelId, String updateId, float[] values, int chunkBytes, TensorEncoding encoding) {
        ChunkLayout layout = ChunkLayout.of(values.length, chunkBytes);
        List<UpdateChunk> chunks = new ArrayList<>(layout.count());
        List<ByteBuffer> hashes = new ArrayList<>(layout.count());
        for (int i = 0; i < layout.count(); i++) {
            int from = (int) layout.offset(i);
            int length = layout.length(i);
            byte[] data = switch (encoding) {
                case DENSE_F32 -> ChunkData.encode(values, from, length);
                case FP16 -> Fp16Codec.encode(Arrays.copyOfRange(values, from, from + length));
                case TOPK_F32 -> nonZeros(values, from, length);
                case INT8 -> Int8Codec.encode(Arrays.copyOfRange(values, from, from + length), int8Rounding(updateId, i));
            };
            hashes.add(ByteBuffer.wrap(ChunkData.sha256(data)));
            chunks.add(UpdateChunk.newBuilder().setModelId(modelId).setUpdateId(updateId).setIndex(i)
                    .setData(ByteBuffer.wrap(data)).setEncoding(encoding).build());
        }
        return new Cut(manifest(layout, hashes), Collections.unmodifiableList(chunks));
    }

    /**
     * The draws of chunk {@code index}'s stochastic rounding: seeded from the update id and the
     * index, so a trainer that retrains the same update (same id, same delta) sends the same bytes,
     * and two chunks never share draws.
     */
    public static SplittableRandom int8Rounding(String updateId, int index) {
        long h = 1125899906842597L;
        for (int i = 0; i < updateId.length(); i++) {
            h = 31 * h + updateId.charAt(i);
        }
        return new SplittableRandom(h * 1_000_003L + index);
    }

    /**
     * What the job decodes from {@code cut}'s chunks, concatenated: the values the update carries
     * (a trainer's error feedback keeps what they leave out).
     */
    public static float[] decoded(Cut cut) {
        int parameters = (int) cut.manifest().getParameters();
        ChunkLayout layout = ChunkLayout.of(cut.manifest());
        float[] out = new float[parameters];
        for (int i = 0; i < layout.count(); i++) {
            UpdateChunk c = cut.chunks().get(i);
            float[] v = ChunkValues.read(c.getEncoding(), c.getData(), layout.length(i)).dense(layout.length(i));
            System.arraycopy(v, 0, out, (int) layout.offset(i), v.length);
        }
        return out;
    }

    /** TOPK_F32 bytes of the non-zero values among {@code values[from, from + length)}, indices local to the chunk. */
    private static byte[] nonZeros(float[] values, int from, int length) {
        int k = 0;
        for (int j = 0; j < length; j++) {
            if (values[from + j] != 0f) {
                k++;
            }
        }
        int[] indices = new int[k];
        for (int j = 0, n = 0; j < length; j++) {
            if (values[from + j] != 0f) {
                indices[n++] = j;
            }
        }
        return TopKCodec.encode(Arrays.copyOfRange(values, from, from + length), indices);
    }

    /** The manifest of a layout with these chunk hashes. */
    public static ChunkManifest manifest(ChunkLayout layout, List<ByteBuffer> sha256) {
        if (sha256.size() != layout.count()) {
            throw new IllegalArgumentException(sha256.size() + " hashes for " + layout.count() + " chunks");
        }
        return ChunkManifest.newBuilder().setChunkBytes(layout.chunkBytes()).setParameters(layout.parameters())
                .setSha256(new ArrayList<>(sha256)).build();
    }

    /** The tensors of {@code weights} concatenated in order, each row-major: the vector chunks cut. */
    public static float[] concatenate(ModelWeights weights) {
        return weights.flatten();
    }

    /** Splits a concatenated vector back into tensors named and shaped as {@code layout}'s. */
    public static ModelWeights split(float[] values, ModelWeights layout) {
        if (values.length != layout.parameterCount()) {
            throw new IllegalArgumentException(values.length + " values for a layout of " + layout.parameterCount());
        }
        List<Tensor> tensors = new ArrayList<>(layout.tensorCount());
        int at = 0;
        for (Tensor t : layout.tensors()) {
            float[] v = new float[t.size()];
            System.arraycopy(values, at, v, 0, v.length);
            at += v.length;
            tensors.add(new Tensor(t.name(), t.shape(), v));
        }
        return new ModelWeights(tensors);
    }
}
