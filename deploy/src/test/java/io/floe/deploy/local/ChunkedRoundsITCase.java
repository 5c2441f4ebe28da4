package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ChunkedModelAssembly;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.chunk.ExactSum;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import io.floe.schema.TensorEncoding;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chunked models through the real broker and job (issue 12): updates travel as a header plus
 * chunk records, every chunk folds on the subtask its key lands on, and the next version is the
 * same bits whatever the parallelism, partition count, chunk size or arrival order; an update with
 * a corrupt chunk is dropped as a whole, its chunks that were folded already taken out again.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChunkedRoundsITCase {
    private static final String MODEL_ID = "big";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PARAMETERS = 10_000;
    private static final int CLIENTS = 3;

    @Test
    void theSameModelBitForBitAtParallelismOneTwoAndFourAcrossPartitionsAndChunkSizes() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1);
        List<float[]> deltas = List.of(values(PARAMETERS, 2, 0.01), values(PARAMETERS, 3, 0.001), values(PARAMETERS, 4, 0.05));
        long[] examples = {120, 7, 33};
        float[] expected = fedAvg(initial, deltas, examples);

        float[] a = runRound(1, 1, 4096, initial, deltas, examples, 1, -1).values;
        float[] b = runRound(2, 3, 4096, initial, deltas, examples, 2, -1).values;
        float[] c = runRound(4, 2, 1024 * 12, initial, deltas, examples, 3, -1).values;

        assertThat(a).containsExactly(expected);
        assertThat(b).containsExactly(expected);
        assertThat(c).containsExactly(expected);
    }

    @Test
    void anUpdateWithACorruptChunkIsDroppedAsAWholeAfterItsOtherChunksWereFolded() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1);
        List<float[]> deltas = List.of(values(PARAMETERS, 2, 0.01), values(PARAMETERS, 3, 0.001), values(PARAMETERS, 4, 0.05));
        long[] examples = {120, 7, 33};
        // client 1's last chunk is corrupt: the version is FedAvg of clients 0 and 2 only
        float[] expected = fedAvg(initial, List.of(deltas.get(0), deltas.get(2)), new long[] {120, 33});

        Outcome out = runRound(2, 3, 4096, initial, deltas, examples, 5, 1);

        assertThat(out.values).containsExactly(expected);
        assertThat(out.report.getAccepted()).extracting(a -> a.getClientId()).containsExactlyInAnyOrder("site-0", "site-2");
        assertThat(out.report.getRejected()).extracting(r -> r.getReason()).containsExactly("CHUNK_MISMATCH");
        assertThat(out.letters).extracting(DeadLetter::getReason).contains("CHUNK_MISMATCH");
        assertThat(out.letters.stream().filter(d -> d.getReason().equals("CHUNK_MISMATCH")).findFirst().orElseThrow().getDetail())
                .contains("chunk 9 of update u-1");
    }

    /** @param stateBackend the job's state backend, as Flink's REST API reports it */
    private record Outcome(float[] values, AggregationReport report, List<DeadLetter> letters, String stateBackend) {
    }

    @Test
    void anUpdateOfAbsurdNormIsScoredFromItsChunksAndTakenOutAsAWhole() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1);
        // client 2's delta is 10^4 times the others': its norm per step is far over maxNormRatio (1000) x the median
        List<float[]> deltas = List.of(values(PARAMETERS, 2, 0.01), values(PARAMETERS, 3, 0.01), values(PARAMETERS, 4, 100));
        long[] examples = {120, 7, 33};

        Outcome out = runRound(2, 3, 4096, initial, deltas, examples, 9, -1);

        assertThat(out.values).containsExactly(fedAvg(initial, deltas.subList(0, 2), new long[] {120, 7}));
        assertThat(out.report.getRejected()).extracting(r -> r.getReason()).containsExactly("ANOMALOUS_UPDATE");
        assertThat(out.report.getRejected().get(0).getDetail()).contains("u-2", "maxNormRatio");
        assertThat(out.report.getScores()).extracting(sc -> sc.getUpdateId() + ":" + sc.getDecision())
                .containsExactly("u-0:ACCEPT", "u-1:ACCEPT", "u-2:REJECT");
        double squares = 0;
        for (float x : deltas.get(0)) {
            squares += (double) x * x;
        }
        assertThat(out.report.getScores().get(0).getL2Norm()).isCloseTo(Math.sqrt(squares), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(out.report.getScores().get(0).getCosineToMedian()).isNaN();
    }

    @Test
    void centralDpClipsByTheNormsFromTheChunksAndAddsNoiseChunkByChunkFromItsSeed() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1);
        // norms about 1, 0.1 and 5: with C = 2 the third is clipped (divided by its norm / C)
        List<float[]> deltas = List.of(values(PARAMETERS, 2, 0.01), values(PARAMETERS, 3, 0.001), values(PARAMETERS, 4, 0.05));
        long[] examples = {120, 7, 33};
        byte[] secret = "chunked-dp-test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
        double z = 0.5;
        double clip = 2.0;
        ModelSpec base = spec(initial, 4096);
        ModelSpec dp = ModelSpec.newBuilder(base).setAggregation(AggregationConfig.newBuilder(base.getAggregation())
                .setDpNoiseMultiplier(z).setDpClipNorm(clip).build()).build();

        Outcome out = runRound(dp, secret, 2, 3, 4096, initial, deltas, examples, 11, -1, TensorEncoding.DENSE_F32);

        // the expected version, chunk by chunk: each update's norm from its chunks' squared sums (in chunk order),
        // weight 1, clipped ones folded as x / (norm / C), noise of z C from the chunk's own seed, over K = 3
        ChunkLayout layout = ChunkLayout.of(PARAMETERS, 4096);
        double[] divisors = new double[deltas.size()];
        List<ChunkedUpdates.Cut> cuts = new ArrayList<>();
        for (int k = 0; k < deltas.size(); k++) {
            ChunkedUpdates.Cut cut = ChunkedUpdates.cut(MODEL_ID, "u-" + k, deltas.get(k), 4096);
            cuts.add(cut);
            double squares = 0;
            for (UpdateChunk c : cut.chunks()) {
                squares += io.floe.core.chunk.ChunkValues.read(TensorEncoding.DENSE_F32, c.getData(), layout.length(c.getIndex())).squaredNorm();
            }
            divisors[k] = Math.sqrt(squares) > clip ? Math.sqrt(squares) / clip : 1.0;
        }
        assertThat(divisors[0]).isEqualTo(1.0);
        assertThat(divisors[2]).isGreaterThan(2.0);
        float[] expected = new float[PARAMETERS];
        for (int i = 0; i < layout.count(); i++) {
            int length = layout.length(i);
            ExactSum sum = new ExactSum(length);
            for (int k = 0; k < deltas.size(); k++) {
                sum.add(1, cuts.get(k).chunks().get(i).getData(), divisors[k]);
            }
            double[] noise = io.floe.core.chunk.NextSlice.gaussianNoise(io.floe.core.privacy.NoiseSeed.of(secret, MODEL_ID, 1, i), length,
                    z * clip);
            float[] slice = java.util.Arrays.copyOfRange(initial, (int) layout.offset(i), (int) layout.offset(i) + length);
            float[] next = io.floe.core.chunk.NextSlice.of(slice, "fedavg", 0, List.of(), sum, CLIENTS, 1.0,
                    dp.getAggregation().getServerOptimizer(), Map.of(), noise).values();
            System.arraycopy(next, 0, expected, (int) layout.offset(i), length);
        }
        assertThat(out.values).containsExactly(expected);
        assertThat(out.report.getRule()).isEqualTo("dp-fedavg");
        assertThat(out.report.getScores()).as("no per-update scores under DP").isEmpty();
        assertThat(out.report.getPrivacy().getRounds()).isEqualTo(1);
        assertThat(out.report.getPrivacy().getEpsilon()).isPositive();
        assertThat(out.report.getAccepted()).extracting(a -> a.getWeight()).containsOnly(1.0 / CLIENTS);
    }

    @Test
    void topKFp16AndInt8ChunksFoldToTheModelOfTheirDecodedValues() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1);
        long[] examples = {120, 7, 33};
        // top-1%: 100 of 10,000 values kept per update, spread over the 10 chunks of 4 KiB (some hold none)
        List<float[]> sparse = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            float[] dense = values(PARAMETERS, 10 + k, 0.01);
            float[] kept = new float[PARAMETERS];
            for (int i : io.floe.core.codec.TopKCodec.topIndices(dense, 100)) {
                kept[i] = dense[i];
            }
            sparse.add(kept);
        }
        // fp16: values an fp16 tensor decodes to
        List<float[]> halves = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            float[] dense = values(PARAMETERS, 20 + k, 0.01);
            halves.add(io.floe.core.codec.Fp16Codec.decode(ByteBuffer.wrap(io.floe.core.codec.Fp16Codec.encode(dense)), PARAMETERS));
        }

        // int8: each chunk quantized on its own range; the job folds what the chunks decode to
        List<float[]> raw = new ArrayList<>();
        List<float[]> quantized = new ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            float[] dense = values(PARAMETERS, 30 + k, 0.01);
            raw.add(dense);
            quantized.add(ChunkedUpdates.decoded(ChunkedUpdates.cut(MODEL_ID, "u-" + k, dense, 4096, TensorEncoding.INT8)));
        }

        Outcome topK = runRound(2, 3, 4096, initial, sparse, examples, 7, -1, TensorEncoding.TOPK_F32);
        Outcome fp16 = runRound(1, 2, 4096, initial, halves, examples, 8, -1, TensorEncoding.FP16);
        Outcome int8 = runRound(2, 2, 4096, initial, raw, examples, 9, -1, TensorEncoding.INT8);

        assertThat(topK.values).containsExactly(fedAvg(initial, sparse, examples));
        assertThat(fp16.values).containsExactly(fedAvg(initial, halves, examples));
        assertThat(int8.values).containsExactly(fedAvg(initial, quantized, examples));
        assertThat(int8.values).isNotEqualTo(fedAvg(initial, raw, examples));
        assertThat(int8.report.getAccepted()).hasSize(CLIENTS);
        assertThat(topK.report.getAccepted()).hasSize(CLIENTS);
        assertThat(topK.letters).isEmpty();
    }

    @Test
    void medianOnRocksDbStateIsTheSameModelBitForBitAtParallelismOneAndTwo() throws Exception {
        // the state backend bench ingest's large median rounds need: the kept chunks in RocksDB
        float[] initial = values(PARAMETERS, 1, 0.1);
        List<float[]> deltas = List.of(values(PARAMETERS, 5, 0.01), values(PARAMETERS, 6, 0.02), values(PARAMETERS, 7, 0.005));
        long[] examples = {12, 30, 7};
        ModelSpec median = spec(MODEL_ID, initial, 4096, "median");

        Outcome p1 = runRound(median, null, 1, 2, 4096, initial, deltas, examples, 3, -1, TensorEncoding.DENSE_F32, "rocksdb");
        Outcome p2 = runRound(median, null, 2, 3, 4096, initial, deltas, examples, 4, -1, TensorEncoding.DENSE_F32, "rocksdb");

        float[][] columns = deltas.toArray(new float[0][]);
        float[] m = new float[PARAMETERS];
        io.floe.core.kernel.CoordinateKernels.median(columns, m);
        float[] expected = new float[PARAMETERS];
        for (int j = 0; j < PARAMETERS; j++) {
            expected[j] = initial[j] + m[j];
        }
        assertThat(p1.stateBackend()).isEqualTo(p2.stateBackend()).containsIgnoringCase("rocksdb");
        assertThat(p1.values).containsExactly(p2.values);
        assertThat(p1.values).containsExactly(expected);
        assertThat(p1.report.getRule()).isEqualTo("median");
        assertThat(p2.report.getScores()).extracting(io.floe.schema.UpdateScore::getCosineToMedian).allMatch(c -> c > 0 && c <= 1);
    }

    @Test
    void medianPerChunkIsTheWholeUpdateMedianBitForBit() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1);
        List<float[]> deltas = List.of(values(PARAMETERS, 2, 0.01), values(PARAMETERS, 3, 0.001), values(PARAMETERS, 4, 0.05));
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 3, Duration.ofMillis(300), "0")) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, floe.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(floe.topics().control(), bytes("dense"),
                        WireCodec.MODEL_SPEC.encode(spec("dense", initial, 0, "median")))).get();
                producer.send(new ProducerRecord<>(floe.topics().control(), bytes(MODEL_ID),
                        WireCodec.MODEL_SPEC.encode(spec(MODEL_ID, initial, 4096, "median")))).get();
                awaitModel(floe, 0, PARAMETERS);
                for (int k = 0; k < deltas.size(); k++) {
                    ModelUpdate dense = ModelUpdate.newBuilder().setUpdateId("u-" + k).setModelId("dense").setClientId("site-" + k)
                            .setBaseVersion(0).setNumExamples(10 + k).setLocalSteps(1).setCreatedAt(Instant.now())
                            .setTensors(List.of(
                                    Tensor.newBuilder().setName("w").setShape(List.of(100, 90))
                                            .setData(ByteBuffer.wrap(ChunkData.encode(deltas.get(k), 0, 9000))).build(),
                                    Tensor.newBuilder().setName("b").setShape(List.of(1000))
                                            .setData(ByteBuffer.wrap(ChunkData.encode(deltas.get(k), 9000, 1000))).build()))
                            .setMetrics(Map.of()).build();
                    producer.send(new ProducerRecord<>(floe.topics().updates(), bytes("dense"), WireCodec.MODEL_UPDATE.encode(dense)));
                    ChunkedUpdates.Cut cut = ChunkedUpdates.cut(MODEL_ID, "u-" + k, deltas.get(k), 4096);
                    ModelUpdate header = ModelUpdate.newBuilder(dense).setModelId(MODEL_ID).setTensors(List.of()).setChunks(cut.manifest())
                            .build();
                    producer.send(new ProducerRecord<>(floe.topics().updates(), bytes(MODEL_ID), WireCodec.MODEL_UPDATE.encode(header)));
                    for (UpdateChunk chunk : cut.chunks()) {
                        producer.send(new ProducerRecord<>(floe.topics().updates(), bytes(ChunkData.key(MODEL_ID, chunk.getIndex())),
                                WireCodec.UPDATE_CHUNK.encode(chunk)));
                    }
                }
                producer.flush();
            }
            float[] chunked = awaitModel(floe, 1, PARAMETERS);
            GlobalModel dense = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (dense == null && System.nanoTime() < deadline) {
                dense = CommittedRecords.read(floe.bootstrapServers(), floe.topics().models(), Duration.ofSeconds(10)).stream()
                        .filter(r -> "dense".equals(new String(r.key(), StandardCharsets.UTF_8)))
                        .map(r -> WireCodec.GLOBAL_MODEL.decode(r.value())).filter(m -> m.getVersion() == 1).findFirst().orElse(null);
                Thread.sleep(300);
            }
            assertThat(dense).as("dense version 1").isNotNull();
            float[] whole = new float[PARAMETERS];
            System.arraycopy(ChunkData.decode(dense.getTensors().get(0).getData(), 9000), 0, whole, 0, 9000);
            System.arraycopy(ChunkData.decode(dense.getTensors().get(1).getData(), 1000), 0, whole, 9000, 1000);
            assertThat(chunked).containsExactly(whole);
            assertThat(chunked).isNotEqualTo(initial);
            // the chunked report's cosines to the median, from the chunks' partial sums, are the dense report's whole-vector ones
            Map<String, AggregationReport> reports = new java.util.HashMap<>();
            deadline = System.nanoTime() + WAIT.toNanos();
            while (reports.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(floe.bootstrapServers(), floe.topics().reports(),
                        Duration.ofSeconds(10))) {
                    AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(r.value());
                    if (report.getVersion() == 1) {
                        reports.put(report.getModelId(), report);
                    }
                }
            }
            List<io.floe.schema.UpdateScore> denseScores = reports.get("dense").getScores();
            List<io.floe.schema.UpdateScore> chunkedScores = reports.get(MODEL_ID).getScores();
            assertThat(chunkedScores).hasSize(3).extracting(io.floe.schema.UpdateScore::getUpdateId)
                    .containsExactlyElementsOf(denseScores.stream().map(io.floe.schema.UpdateScore::getUpdateId).toList());
            for (int i = 0; i < 3; i++) {
                assertThat(chunkedScores.get(i).getCosineToMedian()).as("cosine of %s", denseScores.get(i).getUpdateId())
                        .isCloseTo(denseScores.get(i).getCosineToMedian(), org.assertj.core.api.Assertions.within(1e-12))
                        .isNotZero();
                assertThat(chunkedScores.get(i).getDecision()).isEqualTo(denseScores.get(i).getDecision());
            }
            assertThat(reports.get(MODEL_ID).getNote()).contains("cosines to the coordinate-wise median from the chunks' partial sums");
        }
    }

    /** One round of CLIENTS updates; the client {@code corrupt} (or -1) sends its last chunk with one byte flipped. */
    private static Outcome runRound(int parallelism, int partitions, int chunkBytes, float[] initial, List<float[]> deltas,
            long[] examples, long seed, int corrupt) throws Exception {
        return runRound(parallelism, partitions, chunkBytes, initial, deltas, examples, seed, corrupt, TensorEncoding.DENSE_F32);
    }

    /** As above, the chunks in {@code encoding}. */
    private static Outcome runRound(int parallelism, int partitions, int chunkBytes, float[] initial, List<float[]> deltas,
            long[] examples, long seed, int corrupt, TensorEncoding encoding) throws Exception {
        return runRound(spec(initial, chunkBytes), null, parallelism, partitions, chunkBytes, initial, deltas, examples, seed, corrupt,
                encoding);
    }

    /** As above, for the model {@code spec} (its chunkBytes the given one), the job's DP noise secret {@code secret} (null: random). */
    private static Outcome runRound(ModelSpec spec, byte[] secret, int parallelism, int partitions, int chunkBytes, float[] initial,
            List<float[]> deltas, long[] examples, long seed, int corrupt, TensorEncoding encoding) throws Exception {
        return runRound(spec, secret, parallelism, partitions, chunkBytes, initial, deltas, examples, seed, corrupt, encoding, "hashmap");
    }

    /** As above, the job's state in {@code stateBackend} (hashmap or rocksdb). */
    private static Outcome runRound(ModelSpec spec, byte[] secret, int parallelism, int partitions, int chunkBytes, float[] initial,
            List<float[]> deltas, long[] examples, long seed, int corrupt, TensorEncoding encoding, String stateBackend) throws Exception {
        try (EmbeddedFloe floe = EmbeddedFloe.start(parallelism, partitions, Duration.ofMillis(300), "0", secret, null,
                io.floe.core.trust.JobTrust.none(), stateBackend)) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, floe.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(floe.topics().control(), bytes(MODEL_ID), WireCodec.MODEL_SPEC.encode(spec))).get();
                awaitModel(floe, 0, initial.length);
                List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
                List<ProducerRecord<byte[], byte[]>> headers = new ArrayList<>();
                for (int k = 0; k < deltas.size(); k++) {
                    ChunkedUpdates.Cut cut = ChunkedUpdates.cut(MODEL_ID, "u-" + k, deltas.get(k), chunkBytes, encoding);
                    ModelUpdate header = ModelUpdate.newBuilder().setUpdateId("u-" + k).setModelId(MODEL_ID).setClientId("site-" + k)
                            .setBaseVersion(0).setNumExamples(examples[k]).setLocalSteps(1).setCreatedAt(Instant.now())
                            .setTensors(List.of()).setMetrics(Map.of("loss", 1.0 + k)).setChunks(cut.manifest()).build();
                    headers.add(new ProducerRecord<>(floe.topics().updates(), bytes(MODEL_ID), WireCodec.MODEL_UPDATE.encode(header)));
                    for (UpdateChunk chunk : cut.chunks()) {
                        UpdateChunk sent = chunk;
                        if (k == corrupt && chunk.getIndex() == cut.chunks().size() - 1) {
                            ByteBuffer flipped = ByteBuffer.wrap(chunk.getData().array().clone());
                            flipped.put(0, (byte) (flipped.get(0) ^ 0x40));
                            sent = UpdateChunk.newBuilder(chunk).setData(flipped).build();
                        }
                        records.add(new ProducerRecord<>(floe.topics().updates(), bytes(ChunkData.key(MODEL_ID, chunk.getIndex())),
                                WireCodec.UPDATE_CHUNK.encode(sent)));
                    }
                }
                // arrival order: shuffled chunks, headers among them (some chunks come before their header)
                Collections.shuffle(records, new Random(seed));
                for (int k = 0; k < headers.size(); k++) {
                    records.add(Math.min(records.size(), (k + 1) * records.size() / (headers.size() + 1)), headers.get(k));
                }
                if (corrupt >= 0) {
                    // the corrupt chunk last, so the update's other chunks are folded before it is found
                    ProducerRecord<byte[], byte[]> bad = records.stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8)
                            .endsWith("#" + (ChunkLayoutCount.of(initial.length, chunkBytes) - 1))
                            && WireCodec.UPDATE_CHUNK.hasHeaderOf(r.value())
                            && WireCodec.UPDATE_CHUNK.decode(r.value()).getUpdateId().equals("u-" + corrupt)).findFirst().orElseThrow();
                    records.remove(bad);
                    records.add(bad);
                }
                for (ProducerRecord<byte[], byte[]> r : records) {
                    producer.send(r).get();
                }
            }
            float[] v1 = awaitModel(floe, 1, initial.length);
            AggregationReport report = CommittedRecords.read(floe.bootstrapServers(), floe.topics().reports(), Duration.ofSeconds(10))
                    .stream().map(r -> WireCodec.AGGREGATION_REPORT.decode(r.value())).filter(r -> r.getVersion() == 1).findFirst()
                    .orElseThrow();
            List<DeadLetter> letters = CommittedRecords.read(floe.bootstrapServers(), floe.topics().deadLetter(), Duration.ofSeconds(10))
                    .stream().map(r -> WireCodec.DEAD_LETTER.decode(r.value())).toList();
            assertThat(floe.jobStatus()).isEqualTo("RUNNING");
            String config;
            try (java.io.InputStream in = floe.flinkWebUi().resolve("/jobs/" + floe.jobId() + "/checkpoints/config").toURL()
                    .openStream()) {
                config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return new Outcome(v1, report, letters, config.replaceAll(".*\"state_backend\"\\s*:\\s*\"([^\"]*)\".*", "$1"));
        }
    }

    /** Chunk count of a layout, for picking the last chunk. */
    private static final class ChunkLayoutCount {
        static int of(int parameters, int chunkBytes) {
            return io.floe.core.chunk.ChunkLayout.of(parameters, chunkBytes).count();
        }
    }

    private static float[] awaitModel(EmbeddedFloe floe, long version, int parameters) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ChunkedModelAssembly assembly = new ChunkedModelAssembly(MODEL_ID);
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(floe.bootstrapServers(), floe.topics().models(),
                    Duration.ofSeconds(10))) {
                if (WireCodec.MODEL_CHUNK.hasHeaderOf(r.value())) {
                    ModelChunk c = WireCodec.MODEL_CHUNK.decode(r.value());
                    if (c.getVersion() == version) {
                        assembly.offer(c);
                    }
                } else {
                    GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                    if (m.getVersion() == version) {
                        assembly.offer(m);
                    }
                }
            }
            Optional<GlobalModel> done = assembly.complete();
            if (done.isPresent()) {
                return flatten(done.get(), parameters);
            }
            Thread.sleep(300);
        }
        throw new AssertionError("version " + version + " of " + MODEL_ID + " not complete within " + WAIT);
    }

    /** A version's tensors as one vector of {@code parameters} values. */
    static float[] flatten(GlobalModel model, int parameters) {
        float[] out = new float[parameters];
        int at = 0;
        for (Tensor t : model.getTensors()) {
            float[] v = ChunkData.decode(t.getData(), t.getData().remaining() / 4);
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    private static ModelSpec spec(float[] initial, int chunkBytes) {
        return spec(MODEL_ID, initial, chunkBytes, "fedavg");
    }

    /** The model of these tests; {@code chunkBytes} 0: a dense (whole-record) model. */
    private static ModelSpec spec(String modelId, float[] initial, int chunkBytes, String rule) {
        List<Tensor> tensors = List.of(
                Tensor.newBuilder().setName("w").setShape(List.of(100, 90)).setData(ByteBuffer.wrap(ChunkData.encode(initial, 0, 9000)))
                        .build(),
                Tensor.newBuilder().setName("b").setShape(List.of(1000)).setData(ByteBuffer.wrap(ChunkData.encode(initial, 9000, 1000)))
                        .build());
        return ModelSpec.newBuilder().setModelId(modelId).setArchitecture("opaque").setInitialTensors(tensors)
                .setAggregation(AggregationConfig.newBuilder().setRule(rule).setClientsPerRound(CLIENTS)
                        .setChunkBytes(chunkBytes > 0 ? chunkBytes : null).build())
                .setTraining(ClientTrainingConfig.newBuilder().build()).setCreatedAt(Instant.now()).build();
    }

    /** FedAvg by the exact sum, as the job computes it: w + sum n_k x_k / n. */
    private static float[] fedAvg(float[] initial, List<float[]> deltas, long[] examples) {
        ExactSum sum = new ExactSum(initial.length);
        long total = 0;
        for (int k = 0; k < deltas.size(); k++) {
            sum.add(examples[k], deltas.get(k));
            total += examples[k];
        }
        float[] out = sum.applyTo(initial, total, 1.0);
        // and the plain double FedAvg agrees to float precision
        for (int i = 0; i < initial.length; i++) {
            double plain = initial[i];
            for (int k = 0; k < deltas.size(); k++) {
                plain += examples[k] * (double) deltas.get(k)[i] / total;
            }
            assertThat((double) out[i]).isCloseTo(plain, org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, Math.abs(plain))));
        }
        return out;
    }

    private static float[] values(int n, long seed, double scale) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return v;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
