package io.floe.core.chunk;

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

    /** Cuts the concatenated delta {@code values} into chunks of {@code chunkBytes}. */
    public static Cut cut(String modelId, String updateId, float[] values, int chunkBytes) {
        ChunkLayout layout = ChunkLayout.of(values.length, chunkBytes);
        List<UpdateChunk> chunks = new ArrayList<>(layout.count());
        List<ByteBuffer> hashes = new ArrayList<>(layout.count());
        for (int i = 0; i < layout.count(); i++) {
            byte[] data = ChunkData.encode(values, (int) layout.offset(i), layout.length(i));
            hashes.add(ByteBuffer.wrap(ChunkData.sha256(data)));
            chunks.add(UpdateChunk.newBuilder().setModelId(modelId).setUpdateId(updateId).setIndex(i)
                    .setData(ByteBuffer.wrap(data)).build());
        }
        return new Cut(manifest(layout, hashes), Collections.unmodifiableList(chunks));
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
