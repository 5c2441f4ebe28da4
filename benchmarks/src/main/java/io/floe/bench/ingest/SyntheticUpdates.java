package io.floe.bench.ingest;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ChunkManifest;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The synthetic clients' updates of {@code bench ingest}: chunk {@code i} of client {@code k}'s
 * update in round {@code r} is a pure function of {@code (seed, r, k, i)}, so a client never holds
 * its whole update: it generates every chunk once to hash it for the header's manifest, and again
 * when it sends it (K x 400 MB at d = 100M would not fit anywhere). Values are multiples of 2^-31
 * in [-2^-8, 2^-8): finite and far below ExactSum's limit, like a small SGD delta.
 */
public final class SyntheticUpdates {
    private final String modelId;
    private final ChunkLayout layout;
    private final long seed;

    public SyntheticUpdates(String modelId, ChunkLayout layout, long seed) {
        this.modelId = modelId;
        this.layout = layout;
        this.seed = seed;
    }

    public ChunkLayout layout() {
        return layout;
    }

    /** The little-endian float32 bytes of chunk {@code index} of client {@code client}'s update in round {@code round}. */
    public byte[] chunkData(long round, int client, int index) {
        int n = layout.length(index);
        SplittableRandom rnd = new SplittableRandom(mix(seed, round, client, index));
        ByteBuffer buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < n; j++) {
            buf.putFloat((rnd.nextInt() >> 8) * 0x1p-31f);
        }
        return buf.array();
    }

    /** The update id of client {@code client} in round {@code round}. */
    public String updateId(long round, int client) {
        return "r" + round + "-c" + client;
    }

    public static String clientId(int client) {
        return "bench-" + client;
    }

    /** The encoded UpdateChunk record (generated afresh: the second pass). */
    public byte[] chunkRecord(long round, int client, int index) {
        return WireCodec.UPDATE_CHUNK.encode(UpdateChunk.newBuilder().setModelId(modelId).setUpdateId(updateId(round, client))
                .setIndex(index).setData(ByteBuffer.wrap(chunkData(round, client, index))).build());
    }

    /** The Kafka key of chunk {@code index}: {@code modelId#index}, as trainers key it. */
    public byte[] chunkKey(int index) {
        return ChunkData.key(modelId, index).getBytes(StandardCharsets.UTF_8);
    }

    public byte[] headerKey() {
        return modelId.getBytes(StandardCharsets.UTF_8);
    }

    /** The manifest of client {@code client}'s round-{@code round} update: every chunk generated and hashed (the first pass). */
    public ChunkManifest manifest(long round, int client) {
        List<ByteBuffer> hashes = new ArrayList<>(layout.count());
        for (int i = 0; i < layout.count(); i++) {
            hashes.add(ByteBuffer.wrap(ChunkData.sha256(chunkData(round, client, i))));
        }
        return ChunkedUpdates.manifest(layout, hashes);
    }

    /** The header: a ModelUpdate with empty tensors and {@code manifest}, based on version {@code round - 1}. */
    public ModelUpdate header(long round, int client, long examples, ChunkManifest manifest) {
        return ModelUpdate.newBuilder().setUpdateId(updateId(round, client)).setModelId(modelId)
                .setClientId(clientId(client)).setBaseVersion(round - 1).setNumExamples(examples).setLocalSteps(1)
                .setCreatedAt(Instant.now()).setTensors(List.of()).setMetrics(Map.of("loss", 1.0)).setChunks(manifest).build();
    }

    /** The encoded {@link #header}. */
    public byte[] headerRecord(long round, int client, long examples, ChunkManifest manifest) {
        return WireCodec.MODEL_UPDATE.encode(header(round, client, examples, manifest));
    }

    /** A well-spread seed for one chunk (SplittableRandom's own mixing on top). */
    static long mix(long seed, long round, int client, int index) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = (h ^ round) * 0xBF58476D1CE4E5B9L;
        h = (h ^ client) * 0x94D049BB133111EBL;
        h = (h ^ index) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }
}
