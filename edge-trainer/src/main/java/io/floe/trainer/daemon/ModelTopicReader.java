package io.floe.trainer.daemon;

import io.floe.core.chunk.ChunkedModelAssembly;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

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
 *
 * <p>With a {@link GlobalModelVerifier} that has the job's key, a dense version or a chunked
 * version's header is kept only when the job's signature on it verifies; one that does not is
 * ignored (the verifier logs and counts it) and the newest verified version stays the newest. The
 * header is checked as read, before the assembly fills in its tensors, so a forged manifest never
 * displaces the genuine one and its chunks are never taken for the genuine version's.
 */
public final class ModelTopicReader {
    private final String modelId;
    private final String chunkKeyPrefix;
    private final ChunkedModelAssembly assembly;
    private final GlobalModelVerifier verifier;
    private GlobalModel newest;
    private long chunksRead;

    /** A reader that trusts every version on the topic ({@link GlobalModelVerifier#none()}). */
    public ModelTopicReader(String modelId) {
        this(modelId, GlobalModelVerifier.none());
    }

    /** @param verifier decides which versions (dense, or chunked headers) this trainer may use */
    public ModelTopicReader(String modelId, GlobalModelVerifier verifier) {
        this.modelId = modelId;
        this.chunkKeyPrefix = modelId + "#";
        this.assembly = new ChunkedModelAssembly(modelId);
        this.verifier = Objects.requireNonNull(verifier, "verifier");
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
            if (!modelId.equals(m.getModelId()) || !verifier.accepts(m)) {
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
