package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ChunkManifest;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.schema.UpdateChunk;
import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A trainer on a chunked model publishes each update as its header, then one UpdateChunk per chunk
 * keyed {@code modelId#index}, through the publisher's retrying producer; a retrained update after a
 * restart is the same bytes under the same id; dense models are published whole as before.
 */
class ChunkedPublishTest {
    private static final String MODEL = "m";
    private static final String TOPIC = "floe.updates";
    /** 4 x 200 + 200 + 200 x 1 + 1 = 1201 parameters: chunks of 1024 bytes (256 values) make 5, the last of 177. */
    private static final Architecture MLP = Architecture.parse("mlp(4,200,1)");
    private static final int CHUNK_BYTES = 1024;
    private static final Dataset SITE = blobs(60, 4, 7L);

    @Test
    void aChunkedVersionsUpdateGoesOutAsItsHeaderThenEveryChunkKeyedModelIdIndex() {
        GlobalModel base = chunkedBase(MLP.initialWeights(1), 3);
        MockProducer<byte[], byte[]> producer = mockProducer();

        List<ModelUpdate> published = runOnce(base, producer);

        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        ChunkLayout layout = ChunkLayout.of(MLP.parameterCount(), CHUNK_BYTES);
        assertThat(layout.count()).isEqualTo(5);
        assertThat(sent).hasSize(1 + layout.count());
        // the header first, keyed by model id: no tensors, the manifest of the delta's chunks
        assertThat(key(sent.get(0))).isEqualTo(MODEL);
        assertThat(sent).allMatch(r -> r.topic().equals(TOPIC));
        ModelUpdate header = WireCodec.MODEL_UPDATE.decode(sent.get(0).value());
        assertThat(header.getTensors()).isEmpty();
        assertThat(header.getBaseVersion()).isEqualTo(3);
        ChunkManifest manifest = header.getChunks();
        assertThat(manifest.getChunkBytes()).isEqualTo(CHUNK_BYTES);
        assertThat(manifest.getParameters()).isEqualTo(MLP.parameterCount());
        assertThat(published).containsExactly(header);
        // then every chunk, keyed modelId#index, each matching its hash; together the dense delta
        float[] delta = new float[(int) MLP.parameterCount()];
        for (int i = 0; i < layout.count(); i++) {
            ProducerRecord<byte[], byte[]> r = sent.get(1 + i);
            assertThat(key(r)).isEqualTo(ChunkData.key(MODEL, i)).isEqualTo(MODEL + "#" + i);
            UpdateChunk c = WireCodec.UPDATE_CHUNK.decode(r.value());
            assertThat(c.getUpdateId()).isEqualTo(header.getUpdateId());
            assertThat(c.getModelId()).isEqualTo(MODEL);
            assertThat(c.getIndex()).isEqualTo(i);
            assertThat(ChunkData.sha256(c.getData())).isEqualTo(bytes(manifest.getSha256().get(i)));
            float[] v = ChunkData.decode(c.getData(), layout.length(i));
            System.arraycopy(v, 0, delta, (int) layout.offset(i), v.length);
        }
        ModelUpdate dense = training().train(base);
        assertThat(delta).containsExactly(TensorRecords.fromRecords(dense.getTensors()).flatten());
        assertThat(header.getUpdateId()).isEqualTo(dense.getUpdateId());
    }

    @Test
    void aTopKCompressedUpdateGoesOutAsTopKChunksOfTheKeptValues() {
        GlobalModel dense = chunkedBase(MLP.initialWeights(1), 3);
        GlobalModel base = GlobalModel.newBuilder(dense).setTraining(ClientTrainingConfig.newBuilder(dense.getTraining())
                .setCompression("topk:ratio=0.05").setErrorFeedback(false).build()).build();
        ModelUpdate update = training().train(base);

        ChunkedUpdate chunked = ChunkedUpdate.cut(update, base);

        ChunkLayout layout = ChunkLayout.of(MLP.parameterCount(), CHUNK_BYTES);
        float[] sent = new float[(int) MLP.parameterCount()];
        for (UpdateChunk c : chunked.chunks()) {
            assertThat(c.getEncoding()).isEqualTo(io.floe.schema.TensorEncoding.TOPK_F32);
            assertThat(ChunkData.sha256(c.getData())).isEqualTo(bytes(chunked.header().getChunks().getSha256().get(c.getIndex())));
            float[] v = io.floe.core.chunk.ChunkValues.read(c.getEncoding(), c.getData(), layout.length(c.getIndex()))
                    .dense(layout.length(c.getIndex()));
            System.arraycopy(v, 0, sent, (int) layout.offset(c.getIndex()), v.length);
        }
        // exactly the values the top-k tensors carry: 5% of the update, selected over the whole model
        float[] topK = TensorRecords.fromRecords(update.getTensors()).flatten();
        assertThat(sent).containsExactly(topK);
        long kept = 0;
        for (float x : sent) {
            kept += x != 0f ? 1 : 0;
        }
        assertThat(kept).isLessThanOrEqualTo(io.floe.core.codec.TopKCodec.kept((int) MLP.parameterCount(), 0.05)).isPositive();
        assertThat(chunked.dataBytes()).isLessThan(MLP.parameterCount() * 4 / 10);
    }

    @Test
    void anInt8UpdateGoesOutAsInt8ChunksEachOnItsOwnRangeAndErrorFeedbackKeepsWhatTheyLeaveOut(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path state) {
        GlobalModel dense = chunkedBase(MLP.initialWeights(1), 3);
        GlobalModel base = GlobalModel.newBuilder(dense).setTraining(ClientTrainingConfig.newBuilder(dense.getTraining())
                .setCompression("int8").setErrorFeedback(true).build()).build();
        ModelUpdate update = NetworkTraining.builder("h", SITE).seed(11L).stateDirectory(state).build().train(base);

        ChunkedUpdate chunked = ChunkedUpdate.cut(update, base);

        // the tensors carry the corrected delta in float32 (no memory yet: the delta itself) ...
        float[] corrected = TensorRecords.fromRecords(update.getTensors()).flatten();
        assertThat(corrected).containsExactly(TensorRecords.fromRecords(training().train(dense).getTensors()).flatten());
        // ... and the chunks quantize it, each on its own range: within one of its own steps
        ChunkLayout layout = ChunkLayout.of(MLP.parameterCount(), CHUNK_BYTES);
        float[] sent = new float[corrected.length];
        for (UpdateChunk c : chunked.chunks()) {
            int from = (int) layout.offset(c.getIndex());
            int length = layout.length(c.getIndex());
            assertThat(c.getEncoding()).isEqualTo(io.floe.schema.TensorEncoding.INT8);
            assertThat(c.getData().remaining()).isEqualTo(8 + length);
            assertThat(ChunkData.sha256(c.getData())).isEqualTo(bytes(chunked.header().getChunks().getSha256().get(c.getIndex())));
            float[] v = io.floe.core.chunk.ChunkValues.read(c.getEncoding(), c.getData(), length).dense(length);
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = from; i < from + length; i++) {
                min = Math.min(min, corrected[i]);
                max = Math.max(max, corrected[i]);
            }
            for (int i = 0; i < length; i++) {
                assertThat(Math.abs((double) v[i] - corrected[from + i])).isLessThanOrEqualTo((max - min) / 255 * 1.0001);
            }
            System.arraycopy(v, 0, sent, from, length);
        }
        assertThat(sent).isNotEqualTo(corrected);
        // error feedback, read back as a restarted trainer would: e = corrected - sent, for the next version
        float[] memory = new ErrorFeedback("h", state).memoryFor(MODEL, 4, io.floe.core.codec.Compression.parse("int8"),
                MLP.zeroWeights()).flatten();
        for (int i = 0; i < memory.length; i++) {
            assertThat(memory[i]).as("memory %d", i).isEqualTo(corrected[i] - sent[i]);
        }
        // a retrained update is cut into the same bytes
        assertThat(ChunkedUpdate.cut(update, base).chunks()).isEqualTo(chunked.chunks());
        assertThat(chunked.dataBytes()).isEqualTo(MLP.parameterCount() + 8L * layout.count());
    }

    @Test
    void theHeaderGoesToPartitionZeroAndTheChunksRoundRobinOverTheOthers() {
        GlobalModel base = chunkedBase(MLP.initialWeights(1), 3);
        org.apache.kafka.common.Node node = new org.apache.kafka.common.Node(0, "localhost", 9092);
        List<org.apache.kafka.common.PartitionInfo> parts = new java.util.ArrayList<>();
        for (int p = 0; p < 4; p++) {
            parts.add(new org.apache.kafka.common.PartitionInfo(TOPIC, p, node, new org.apache.kafka.common.Node[] {node},
                    new org.apache.kafka.common.Node[] {node}));
        }
        org.apache.kafka.common.Cluster cluster = new org.apache.kafka.common.Cluster("c", List.of(node), parts, java.util.Set.of(),
                java.util.Set.of());
        MockProducer<byte[], byte[]> producer = new MockProducer<>(cluster, true, null, new ByteArraySerializer(),
                new ByteArraySerializer());

        runOnce(base, producer);

        assertThat(producer.history()).extracting(ProducerRecord::partition).containsExactly(0, 1, 2, 3, 1, 2);
    }

    @Test
    void aRetrainedUpdateAfterARestartSendsTheSameBytesUnderTheSameUpdateId() {
        GlobalModel base = chunkedBase(MLP.initialWeights(2), 5);
        MockProducer<byte[], byte[]> before = mockProducer();
        MockProducer<byte[], byte[]> afterRestart = mockProducer();

        // Execute: a trainer, and the same site's trainer started afresh (new training, publisher, producer)
        runOnce(base, before);
        runOnce(base, afterRestart);

        // Assert: the same keys, the same chunk records byte for byte; the headers differ only in createdAt
        List<ProducerRecord<byte[], byte[]>> a = before.history();
        List<ProducerRecord<byte[], byte[]>> b = afterRestart.history();
        assertThat(b).hasSameSizeAs(a);
        for (int i = 1; i < a.size(); i++) {
            assertThat(b.get(i).key()).isEqualTo(a.get(i).key());
            assertThat(b.get(i).value()).as("chunk record %d", i - 1).isEqualTo(a.get(i).value());
        }
        ModelUpdate h1 = WireCodec.MODEL_UPDATE.decode(a.get(0).value());
        ModelUpdate h2 = WireCodec.MODEL_UPDATE.decode(b.get(0).value());
        assertThat(h2.getUpdateId()).isEqualTo(h1.getUpdateId());
        assertThat(ModelUpdate.newBuilder(h2).setCreatedAt(h1.getCreatedAt()).build()).isEqualTo(h1);
    }

    @Test
    void aChunkWhoseSendFailsIsSentAgainUntilAcknowledged() throws Exception {
        // Prepare: chunk 2's first send times out (the broker away for a moment)
        AtomicInteger failures = new AtomicInteger();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                if (key(record).equals(ChunkData.key(MODEL, 2)) && failures.getAndIncrement() == 0) {
                    return CompletableFuture.failedFuture(new TimeoutException("delivery timed out"));
                }
                return super.send(record, callback);
            }
        };
        PublishRetry retry = new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(5), 1L);
        UpdatePublisher publisher = new UpdatePublisher(TOPIC, () -> producer, retry);
        ChunkedUpdate update = ChunkedUpdate.cut(training().train(chunkedBase(MLP.initialWeights(3), 0)), chunkedBase(MLP.initialWeights(3), 0));

        // Execute
        publisher.publishChunked(update);

        // Assert: every chunk acknowledged once, chunk 2 after one retry (counted as a publish retry)
        assertThat(producer.history()).extracting(ChunkedPublishTest::key)
                .containsExactly(MODEL, MODEL + "#0", MODEL + "#1", MODEL + "#3", MODEL + "#4", MODEL + "#2");
        assertThat(publisher.publishRetries()).isEqualTo(1);
        assertThat(failures.get()).isEqualTo(2);
        publisher.close();
    }

    @Test
    void stoppingWhileChunksAreInFlightEndsThePublishAsAStopNotAFailure() throws Exception {
        // Prepare: nothing is acknowledged until the test says so
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        UpdatePublisher publisher = new UpdatePublisher(TOPIC, () -> producer, new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(5), 1L));
        GlobalModel base = chunkedBase(MLP.initialWeights(4), 1);
        ChunkedUpdate update = ChunkedUpdate.cut(training().train(base), base);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread publishing = new Thread(() -> {
            try {
                publisher.publishChunked(update);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        publishing.start();
        awaitSends(producer, 1);
        producer.completeNext(); // the header
        awaitSends(producer, 6);

        // Execute: stop, then the closing producer fails the chunk being waited for
        publisher.stopRetrying();
        producer.errorNext(new IllegalStateException("Cannot perform operation after producer has been closed"));
        publishing.join(5_000);

        // Assert
        assertThat(publishing.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(PublishRetry.StoppedException.class).hasMessageContaining("chunk 0 of update");
    }

    private static void awaitSends(MockProducer<byte[], byte[]> producer, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (producer.history().size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(producer.history()).hasSize(n);
    }

    @Test
    void aDenseVersionsUpdateIsPublishedWholeAsBefore() {
        GlobalModel base = GlobalModel.newBuilder(chunkedBase(MLP.initialWeights(1), 3)).setChunks(null).build();
        MockProducer<byte[], byte[]> producer = mockProducer();

        runOnce(base, producer);

        assertThat(producer.history()).hasSize(1);
        assertThat(key(producer.history().get(0))).isEqualTo(MODEL);
        ModelUpdate update = WireCodec.MODEL_UPDATE.decode(producer.history().get(0).value());
        assertThat(update.getChunks()).isNull();
        assertThat(TensorRecords.fromRecords(update.getTensors()).parameterCount()).isEqualTo(MLP.parameterCount());
    }

    @Test
    void anUpdateThatDoesNotFitTheManifestIsRefused() {
        GlobalModel base = chunkedBase(MLP.initialWeights(1), 3);
        ModelUpdate other = training().train(GlobalModel.newBuilder(base).setChunks(null).build());
        GlobalModel smaller = GlobalModel.newBuilder(base).setChunks(ChunkedUpdates.cut(MODEL, "x", new float[1000], CHUNK_BYTES)
                .manifest()).build();

        assertThatThrownBy(() -> ChunkedUpdate.cut(other, smaller)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1201 parameters where version 3 of m has 1000");
        assertThatThrownBy(() -> new UpdateSink() {
            @Override
            public void send(ModelUpdate update) {
            }
        }.sendChunked(ChunkedUpdate.cut(other, base))).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("cannot send chunked updates");
    }

    /** One trainer (fresh training, publisher on {@code producer}) trains on {@code base} once; returns what onPublished saw. */
    private static List<ModelUpdate> runOnce(GlobalModel base, MockProducer<byte[], byte[]> producer) {
        List<ModelUpdate> published = new ArrayList<>();
        UpdatePublisher publisher = new UpdatePublisher(TOPIC, () -> producer, new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(5), 1L));
        GlobalModelSource source = (after, timeout) -> base.getVersion() > after ? Optional.of(base) : Optional.empty();
        new TrainerLoop("h", source, publisher, training(), 1, published::add).run();
        publisher.close();
        return published;
    }

    private static NetworkTraining training() {
        return NetworkTraining.builder("h", SITE).seed(11L).build();
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Version {@code version} as the follower hands it out: the weights filled in, and the manifest of its chunks. */
    private static GlobalModel chunkedBase(ModelWeights weights, long version) {
        ChunkManifest manifest = ChunkedUpdates.cut(MODEL, "model", weights.flatten(), CHUNK_BYTES).manifest();
        return GlobalModel.newBuilder()
                .setModelId(MODEL)
                .setVersion(version)
                .setCreatedAt(Instant.EPOCH)
                .setArchitecture(MLP.toString())
                .setTensors(TensorRecords.toRecords(weights))
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(1).setBatchSize(16).build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1).setUpdateIds(List.of()).build())
                .setChunks(manifest)
                .build();
    }

    private static String key(ProducerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static Dataset blobs(int n, int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) ((j % 2 == y[i] ? 1 : -0.5) + random.nextGaussian());
            }
        }
        return new Dataset(x, y);
    }
}
