package io.floe.trainer.daemon;

import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.codec.Compression;
import io.floe.core.spec.Architecture;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.GlobalModel;
import io.floe.schema.TensorEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How a trainer's delta goes on the wire: the encoding its model's training config names
 * (dense, or {@link Compression}), with error feedback kept across rounds ({@link ErrorFeedback}).
 */
final class UpdateEncoding {
    private final long seed;
    private final ErrorFeedback errorFeedback;

    /** @param seed the trainer's seed, from which int8's stochastic rounding draws per version */
    UpdateEncoding(long seed, ErrorFeedback errorFeedback) {
        this.seed = seed;
        this.errorFeedback = errorFeedback;
    }

    /**
     * The delta's tensors as the model's training config says to send them: dense, or compressed
     * ({@link Compression}) with, unless turned off, error feedback ({@link ErrorFeedback}): the
     * update carries {@code C(Δ + e)}. Top-k selects over the whole update unless the spec says
     * {@code scope=tensor}. Int8's stochastic rounding draws from (seed, version), so a retrained
     * update is the same bytes.
     *
     * <p>A chunked model under int8 is quantized chunk by chunk, each chunk on its own range
     * ({@link ChunkedUpdates#cut}, drawing from {@code updateId}): the tensors returned are then the
     * corrected delta in float32, which {@link ChunkedUpdate#cut} quantizes into the same chunks again,
     * and the error feedback keeps what those chunks leave out.
     */
    List<io.floe.schema.Tensor> encode(GlobalModel base, String updateId, ModelWeights delta, Architecture arch) {
        Compression compression = Compression.parse(base.getTraining().getCompression());
        if (compression.isNone()) {
            return TensorRecords.toRecords(delta);
        }
        boolean feedback = base.getTraining().getErrorFeedback();
        ModelWeights memory = feedback
                ? errorFeedback.memoryFor(base.getModelId(), base.getVersion(), compression, arch.zeroWeights())
                : arch.zeroWeights();
        ModelWeights corrected = delta.plusScaled(memory, 1f);
        if (ChunkedUpdate.isChunked(base) && compression.encoding() == TensorEncoding.INT8) {
            ChunkedUpdates.Cut cut = ChunkedUpdates.cut(base.getModelId(), updateId, corrected.flatten(),
                    base.getChunks().getChunkBytes(), TensorEncoding.INT8);
            if (feedback) {
                errorFeedback.record(base.getModelId(), base.getVersion(), compression, memory, corrected,
                        ChunkedUpdates.split(ChunkedUpdates.decoded(cut), corrected));
            }
            return TensorRecords.toRecords(corrected);
        }
        SplittableRandom rounding = new SplittableRandom(seed * 1_000_003L + base.getVersion() + 17);
        List<io.floe.core.tensor.Tensor> tensors = corrected.tensors();
        // one call for the whole update: top-k selects over all tensors together (Compression.Scope)
        List<byte[]> data = compression.encodeUpdate(tensors.stream().map(io.floe.core.tensor.Tensor::values).toList(), rounding);
        List<io.floe.schema.Tensor> sent = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            sent.add(record(tensors.get(i), compression, data.get(i)));
        }
        if (feedback) {
            errorFeedback.record(base.getModelId(), base.getVersion(), compression, memory, corrected,
                    TensorRecords.fromRecords(sent));
        }
        return sent;
    }

    /** The record of {@code t} as {@code data}, bytes of {@code compression}'s encoding (what TensorRecords.toRecord writes). */
    private static io.floe.schema.Tensor record(io.floe.core.tensor.Tensor t, Compression compression, byte[] data) {
        List<Integer> shape = new ArrayList<>(t.shape().length);
        for (int d : t.shape()) {
            shape.add(d);
        }
        return io.floe.schema.Tensor.newBuilder().setName(t.name()).setShape(shape).setDtype(io.floe.schema.DType.FLOAT32)
                .setEncoding(compression.encoding()).setData(java.nio.ByteBuffer.wrap(data)).build();
    }
}
