package io.floe.trainer.daemon;

import io.floe.core.chunk.ChunkedModelAssembly;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import java.nio.charset.StandardCharsets;

/**
 * What a trainer keeps of one model's records on the models topic: the newest version it can
 * train on. {@link GlobalModelFollower} feeds it every record it polls; kept apart from the consumer
 * so that it can be tested record by record.
 *
 * <ul>
 *   <li>A dense version (a {@code GlobalModel} keyed by the model id, {@code chunks} null) is
 *       usable at once.</li>
 *   <li>A chunked version (issue 12) is a manifest keyed by the model id (tensors with names and
 *       shapes, no data; {@code chunks} set) plus one {@code ModelChunk} per chunk keyed
 *       {@code modelId#index}. Both go into a {@link ChunkedModelAssembly}; the version is usable
 *       once every chunk is there and matches its manifest's SHA-256, as the manifest with its
 *       tensors filled in. Chunks and manifest may come in any order (they sit on different
 *       partitions); a chunk that does not match is ignored and waited for again.</li>
 * </ul>
 * Records of other models are skipped, including one whose id starts with this id and a '#'
 * (its records do not carry a {@code ModelChunk} of this model).
 */
public final class ModelTopicReader {
    private final String modelId;
    private final String chunkKeyPrefix;
    private final ChunkedModelAssembly assembly;
    private GlobalModel newest;
    private long chunksRead;

    public ModelTopicReader(String modelId) {
        this.modelId = modelId;
        this.chunkKeyPrefix = modelId + "#";
        this.assembly = new ChunkedModelAssembly(modelId);
    }

    /**
     * Takes one record of the models topic.
     *
     * @throws MalformedRecordException when a record keyed by this model does not decode (the caller logs and skips it)
     */
    public void accept(byte[] key, byte[] value) {
        if (key == null || value == null) {
            return;
        }
        String k = new String(key, StandardCharsets.UTF_8);
        if (k.equals(modelId)) {
            GlobalModel m = WireCodec.GLOBAL_MODEL.decode(value);
            if (!modelId.equals(m.getModelId())) {
                return;
            }
            if (m.getChunks() == null) {
                offerComplete(m);
            } else {
                assembly.offer(m);
                assembled();
            }
        } else if (k.startsWith(chunkKeyPrefix) && WireCodec.MODEL_CHUNK.hasHeaderOf(value)) {
            assembly.offer(WireCodec.MODEL_CHUNK.decode(value));
            chunksRead++;
            assembled();
        }
    }

    /** The newest complete version read so far, or null. */
    public GlobalModel newest() {
        return newest;
    }

    /** ModelChunk records of this model read so far. */
    public long chunksRead() {
        return chunksRead;
    }

    private void assembled() {
        assembly.complete().ifPresent(this::offerComplete);
    }

    private void offerComplete(GlobalModel m) {
        if (newest == null || m.getVersion() > newest.getVersion()) {
            newest = m;
        }
    }
}
