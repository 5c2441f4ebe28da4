package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import io.floe.schema.Provenance;
import io.floe.schema.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the follower hands out, record by record: a chunked version only once its manifest and every
 * chunk are in and match; dense versions at once, as before.
 */
class ModelTopicReaderTest {
    private static final String MODEL = "m";
    /** 10 x 30 + 30 = 330 values: chunks of 1024 bytes (256 values) make 2. */
    private static final int ROWS = 10;
    private static final int COLS = 30;
    private static final int CHUNK_BYTES = 1024;

    @Test
    void aChunkedVersionIsHandedOutOnlyWhenEveryChunkIsInAndMatches() {
        ModelTopicReader reader = new ModelTopicReader(MODEL);
        Version v1 = chunked(1, 0.5f);

        // Execute: the manifest first (chunks and manifest sit on different partitions), then the chunks
        offer(reader, MODEL, WireCodec.GLOBAL_MODEL.encode(v1.manifest()));
        GlobalModel afterManifest = reader.newest();
        offer(reader, ChunkData.key(MODEL, 0), WireCodec.MODEL_CHUNK.encode(v1.chunks().get(0)));
        GlobalModel afterOneChunk = reader.newest();
        offer(reader, ChunkData.key(MODEL, 1), WireCodec.MODEL_CHUNK.encode(v1.chunks().get(1)));

        // Assert: nothing until the last chunk; then the manifest with its weights filled in
        assertThat(afterManifest).isNull();
        assertThat(afterOneChunk).isNull();
        GlobalModel got = reader.newest();
        assertThat(got.getVersion()).isEqualTo(1);
        assertThat(got.getChunks()).isEqualTo(v1.manifest().getChunks());
        assertThat(values(got)).containsExactly(v1.values());
        assertThat(got.getTensors()).extracting(Tensor::getName).containsExactly("w", "b");
        assertThat(reader.chunksRead()).isEqualTo(2);
    }

    @Test
    void chunksBeforeTheirManifestAndAMismatchedChunkWaitForTheRightOne() {
        ModelTopicReader reader = new ModelTopicReader(MODEL);
        Version v2 = chunked(2, 0.25f);
        ModelChunk forged = ModelChunk.newBuilder(v2.chunks().get(1))
                .setData(ByteBuffer.wrap(ChunkData.encode(new float[ROWS * COLS + COLS - 256], 0, ROWS * COLS + COLS - 256))).build();

        // Execute: chunk 0, a chunk 1 that does not match, the manifest
        offer(reader, ChunkData.key(MODEL, 0), WireCodec.MODEL_CHUNK.encode(v2.chunks().get(0)));
        offer(reader, ChunkData.key(MODEL, 1), WireCodec.MODEL_CHUNK.encode(forged));
        offer(reader, MODEL, WireCodec.GLOBAL_MODEL.encode(v2.manifest()));
        GlobalModel withForgedChunk = reader.newest();
        offer(reader, ChunkData.key(MODEL, 1), WireCodec.MODEL_CHUNK.encode(v2.chunks().get(1)));

        // Assert: the mismatched chunk is ignored; the right one completes the version
        assertThat(withForgedChunk).isNull();
        assertThat(reader.newest().getVersion()).isEqualTo(2);
        assertThat(values(reader.newest())).containsExactly(v2.values());
    }

    @Test
    void theNewestCompleteVersionWinsAndAnOlderOneNeverComesBack() {
        ModelTopicReader reader = new ModelTopicReader(MODEL);
        Version v1 = chunked(1, 0.5f);
        Version v2 = chunked(2, 0.25f);

        // Execute: version 1 complete, then version 2's chunks and manifest, then a stale chunk of version 1
        feed(reader, v1);
        GlobalModel first = reader.newest();
        feed(reader, v2);
        offer(reader, ChunkData.key(MODEL, 0), WireCodec.MODEL_CHUNK.encode(v1.chunks().get(0)));

        // Assert
        assertThat(first.getVersion()).isEqualTo(1);
        assertThat(reader.newest().getVersion()).isEqualTo(2);
        assertThat(values(reader.newest())).containsExactly(v2.values());
    }

    @Test
    void denseVersionsAreHandedOutAsTheyAreReadAsBefore() {
        ModelTopicReader reader = new ModelTopicReader(MODEL);
        GlobalModel dense3 = dense(3, 0.1f);
        GlobalModel dense2 = dense(2, 0.2f);

        offer(reader, MODEL, WireCodec.GLOBAL_MODEL.encode(dense3));
        offer(reader, MODEL, WireCodec.GLOBAL_MODEL.encode(dense2));

        // the record as read, not a copy; an older version after it changes nothing
        assertThat(reader.newest()).isEqualTo(dense3);
        assertThat(reader.chunksRead()).isZero();
    }

    @Test
    void recordsOfOtherModelsAreSkippedIncludingOnesWhoseIdStartsWithThisOnesAndAHash() {
        ModelTopicReader reader = new ModelTopicReader(MODEL);
        GlobalModel other = GlobalModel.newBuilder(dense(5, 0.3f)).setModelId("m#0").build();

        offer(reader, "other", WireCodec.GLOBAL_MODEL.encode(GlobalModel.newBuilder(dense(4, 0.3f)).setModelId("other").build()));
        // a model named "m#0" publishes its versions under the key "m#0": a GlobalModel, not a chunk of m
        offer(reader, "m#0", WireCodec.GLOBAL_MODEL.encode(other));
        reader.accept(null, new byte[] {1});

        assertThat(reader.newest()).isNull();
        assertThat(reader.chunksRead()).isZero();
    }

    /** A chunked version: its manifest (tensors named and shaped, no data) and its ModelChunks. */
    record Version(GlobalModel manifest, List<ModelChunk> chunks, float[] values) {
    }

    static Version chunked(long version, float scale) {
        float[] values = new float[ROWS * COLS + COLS];
        for (int i = 0; i < values.length; i++) {
            values[i] = scale * (i % 17 - 8) + version;
        }
        ChunkLayout layout = ChunkLayout.of(values.length, CHUNK_BYTES);
        List<ModelChunk> chunks = new ArrayList<>();
        List<ByteBuffer> hashes = new ArrayList<>();
        for (int i = 0; i < layout.count(); i++) {
            byte[] data = ChunkData.encode(values, (int) layout.offset(i), layout.length(i));
            hashes.add(ByteBuffer.wrap(ChunkData.sha256(data)));
            chunks.add(ModelChunk.newBuilder().setModelId(MODEL).setVersion(version).setIndex(i).setData(ByteBuffer.wrap(data)).build());
        }
        GlobalModel manifest = GlobalModel.newBuilder(base(version, List.of(
                        tensor("w", List.of(ROWS, COLS), ByteBuffer.allocate(0)), tensor("b", List.of(COLS), ByteBuffer.allocate(0)))))
                .setChunks(ChunkedUpdates.manifest(layout, hashes)).build();
        return new Version(manifest, chunks, values);
    }

    static GlobalModel dense(long version, float value) {
        float[] w = new float[ROWS * COLS];
        float[] b = new float[COLS];
        java.util.Arrays.fill(w, value);
        return base(version, List.of(tensor("w", List.of(ROWS, COLS), ByteBuffer.wrap(ChunkData.encode(w, 0, w.length))),
                tensor("b", List.of(COLS), ByteBuffer.wrap(ChunkData.encode(b, 0, b.length)))));
    }

    private static GlobalModel base(long version, List<Tensor> tensors) {
        return GlobalModel.newBuilder().setModelId(MODEL).setVersion(version).setCreatedAt(Instant.EPOCH)
                .setArchitecture("mlp(30,10,1)").setTensors(tensors).setTraining(ClientTrainingConfig.newBuilder().build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1).setUpdateIds(List.of()).build())
                .build();
    }

    private static Tensor tensor(String name, List<Integer> shape, ByteBuffer data) {
        return Tensor.newBuilder().setName(name).setShape(shape).setData(data).build();
    }

    private static void feed(ModelTopicReader reader, Version v) {
        for (ModelChunk c : v.chunks()) {
            offer(reader, ChunkData.key(MODEL, c.getIndex()), WireCodec.MODEL_CHUNK.encode(c));
        }
        offer(reader, MODEL, WireCodec.GLOBAL_MODEL.encode(v.manifest()));
    }

    private static void offer(ModelTopicReader reader, String key, byte[] value) {
        reader.accept(key.getBytes(StandardCharsets.UTF_8), value);
    }

    static float[] values(GlobalModel m) {
        List<Float> out = new ArrayList<>();
        for (Tensor t : m.getTensors()) {
            for (float f : ChunkData.decode(t.getData(), t.getData().remaining() / 4)) {
                out.add(f);
            }
        }
        float[] v = new float[out.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = out.get(i);
        }
        return v;
    }
}
