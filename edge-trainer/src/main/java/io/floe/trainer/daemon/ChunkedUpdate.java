package io.floe.trainer.daemon;

import io.floe.schema.TensorEncoding;

import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ChunkManifest;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateChunk;
import java.util.List;
import java.util.Objects;

/**
 * An update as a chunked model takes it (issue 12): the header, a {@link ModelUpdate} with empty
 * {@code tensors} and a {@link ChunkManifest} in {@code chunks}, and the {@link UpdateChunk}s of the
 * delta, in index order, each to be sent keyed {@code modelId#index}
 * ({@link io.floe.core.chunk.ChunkData#key}).
 *
 * <p>The delta is cut as the base version's manifest says: chunks of its {@code chunkBytes}, over the
 * tensors concatenated in the update's order (the model's order). The cut depends only on the delta's
 * values, so a trainer that retrains the same version after a restart (same updateId, same delta)
 * sends the same chunk bytes and the same manifest; only the header's {@code createdAt} differs, as
 * it does for a dense update.
 *
 * @param header the update with empty tensors and the chunk manifest
 * @param chunks the delta's chunks in index order
 */
public record ChunkedUpdate(ModelUpdate header, List<UpdateChunk> chunks) {
    public ChunkedUpdate {
        Objects.requireNonNull(header, "header");
        chunks = List.copyOf(chunks);
    }

    /** True when updates trained on {@code base} travel chunked: its version is a chunk manifest. */
    public static boolean isChunked(GlobalModel base) {
        return base.getChunks() != null;
    }

    /**
     * Cuts the {@code update} trained on the chunked {@code base} into a header and chunks. Its
     * tensors are decoded, and the chunks carry the same values in the tensors' encoding: FP16
     * chunks, or TOPK_F32 chunks of the kept values that fall in each (top-k selected over the whole
     * update, so every chunk is exact and folds in O(k)); dense float32 otherwise. Under int8 the
     * tensors are float32 and each chunk is quantized on its own ({@link #chunkEncoding}).
     *
     * @throws IllegalArgumentException when {@code base} is not chunked, or the update does not fit
     *     its manifest (another parameter count, or a SCAFFOLD control delta, which the chunked path
     *     does not carry)
     */
    public static ChunkedUpdate cut(ModelUpdate update, GlobalModel base) {
        ChunkManifest manifest = base.getChunks();
        if (manifest == null) {
            throw new IllegalArgumentException("version " + base.getVersion() + " of " + base.getModelId()
                    + " is not chunked: send its updates whole");
        }
        if (update.getChunks() != null) {
            throw new IllegalArgumentException("update " + update.getUpdateId() + " is chunked already");
        }
        if (update.getControlDelta() != null && !update.getControlDelta().isEmpty()) {
            throw new IllegalArgumentException("update " + update.getUpdateId() + " carries a SCAFFOLD control delta,"
                    + " which chunked models do not take (the spec validator refuses scaffold with chunkBytes)");
        }
        float[] values;
        try {
            values = TensorRecords.fromRecords(update.getTensors()).flatten();
        } catch (MalformedRecordException e) {
            throw new IllegalArgumentException("update " + update.getUpdateId() + ": " + e.getMessage(), e);
        }
        if (values.length != manifest.getParameters()) {
            throw new IllegalArgumentException("update " + update.getUpdateId() + " has " + values.length
                    + " parameters where version " + base.getVersion() + " of " + base.getModelId() + " has "
                    + manifest.getParameters());
        }
        // the layout's own check: a manifest the job wrote always passes it
        ChunkLayout.of(manifest);
        ChunkedUpdates.Cut cut = ChunkedUpdates.cut(update.getModelId(), update.getUpdateId(), values, manifest.getChunkBytes(),
                chunkEncoding(update, base));
        ModelUpdate header = ModelUpdate.newBuilder(update).setTensors(List.of()).setChunks(cut.manifest()).build();
        return new ChunkedUpdate(header, cut.chunks());
    }

    /**
     * The chunks' encoding: INT8 when the model's training config says int8 (each chunk is quantized
     * on its own range, so the tensors carry the float32 values to quantize); else the tensors' one
     * when they all share FP16 or TOPK_F32; else DENSE_F32.
     */
    static TensorEncoding chunkEncoding(ModelUpdate update, GlobalModel base) {
        if (base.getTraining() != null && int8(base.getTraining().getCompression())) {
            return TensorEncoding.INT8;
        }
        TensorEncoding shared = null;
        for (io.floe.schema.Tensor t : update.getTensors()) {
            if (shared != null && t.getEncoding() != shared) {
                return TensorEncoding.DENSE_F32;
            }
            shared = t.getEncoding();
        }
        return shared == TensorEncoding.FP16 || shared == TensorEncoding.TOPK_F32 ? shared : TensorEncoding.DENSE_F32;
    }

    private static boolean int8(String compression) {
        try {
            return io.floe.core.codec.Compression.parse(compression).encoding() == TensorEncoding.INT8;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Bytes of delta the chunks carry. */
    public long dataBytes() {
        long n = 0;
        for (UpdateChunk c : chunks) {
            n += c.getData().remaining();
        }
        return n;
    }
}
