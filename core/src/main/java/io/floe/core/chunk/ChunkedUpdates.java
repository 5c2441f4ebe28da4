package io.floe.core.chunk;

import io.floe.core.codec.Fp16Codec;
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
     * update, and each chunk carries the kept values that fall in it, so it folds in O(k)).
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
                case INT8 -> throw new IllegalArgumentException("INT8 is not a chunk encoding yet; chunked models take fp16 or topk");
            };
            hashes.add(ByteBuffer.wrap(ChunkData.sha256(data)));
            chunks.add(UpdateChunk.newBuilder().setModelId(modelId).setUpdateId(updateId).setIndex(i)
                    .setData(ByteBuffer.wrap(data)).setEncoding(encoding).build());
        }
        return new Cut(manifest(layout, hashes), Collections.unmodifiableList(chunks));
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
