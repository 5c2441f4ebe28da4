package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkedModelAssembly;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import io.floe.schema.UpdateChunk;
import io.floe.schema.UpdateScore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * Krum, Multi-Krum and Bulyan on chunked models through the real broker and job (issue 13): the
 * folders' distance shares go out on the chunk-scores topic, come back to the coordinator, which
 * selects and closes; the model and report are those of the whole-update rule fed the same updates.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChunkedKrumITCase {
    private static final Duration WAIT = Duration.ofSeconds(120);
    static final int PARAMETERS = 10_000;
    private static final int CLIENTS = 7; // Bulyan with f = 1 needs K >= 4f + 3
    private static final List<String> RULES = List.of("krum", "multi-krum", "bulyan");

    @Test
    void krumMultiKrumAndBulyanSelectFromTheChunksSharesAsTheWholeUpdateRulesDo() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1, null);
        List<float[]> deltas = round();
        Map<String, float[]> chunked;
        Map<String, float[]> dense;
        Map<String, AggregationReport> reports;
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 3, Duration.ofMillis(300), "0")) {
            for (String rule : RULES) {
                send(floe, spec("dense-" + rule, initial, 0, rule), deltas);
                send(floe, spec("chunked-" + rule, initial, 4096, rule), deltas);
            }
            chunked = new HashMap<>();
            dense = new HashMap<>();
            for (String rule : RULES) {
                chunked.put(rule, awaitModel(floe, "chunked-" + rule, 1));
                dense.put(rule, awaitModel(floe, "dense-" + rule, 1));
            }
            reports = reports(floe, 2 * RULES.size());
            assertThat(floe.jobStatus()).isEqualTo("RUNNING");
        }
        for (String rule : RULES) {
            AggregationReport c = reports.get("chunked-" + rule);
            AggregationReport d = reports.get("dense-" + rule);
            // the same selection: every update with the whole-update rule's weight
            assertThat(weights(c)).as(rule).hasSize(CLIENTS);
            weights(d).forEach((id, w) -> assertThat(weights(c).get(id)).as(rule + " weight of " + id).isCloseTo(w, within(1e-12)));
            assertThat(weights(c).values().stream().filter(w -> w > 0).count()).as(rule + ": selected")
                    .isEqualTo(switch (rule) { case "krum" -> 1L; case "multi-krum" -> 6L; default -> 5L; }); // 1, K - f, K - 2f
            if (rule.equals("krum")) { // (two attackers close to each other are beyond f = 1: the larger selections may take one)
                assertThat(weights(c).get("u-5") + weights(c).get("u-6")).isZero();
            }
            assertThat(c.getNote()).contains("Krum scores and cosines to the coordinate-wise median from the chunks' partial sums");
            for (int i = 0; i < CLIENTS; i++) {
                UpdateScore cs = c.getScores().get(i);
                UpdateScore ds = d.getScores().get(i);
                assertThat(cs.getUpdateId()).isEqualTo(ds.getUpdateId());
                assertThat(cs.getKrumScore()).as(rule + " Krum score of " + cs.getUpdateId())
                        .isCloseTo(ds.getKrumScore(), within(1e-9 * ds.getKrumScore())).isPositive();
                assertThat(cs.getCosineToMedian()).isCloseTo(ds.getCosineToMedian(), within(1e-12));
                assertThat(cs.getDecision()).isEqualTo(ds.getDecision());
            }
        }
        // Krum: the chosen update itself; Bulyan: the same kernel per coordinate; both bit for bit
        assertThat(chunked.get("krum")).containsExactly(dense.get("krum"));
        assertThat(chunked.get("bulyan")).containsExactly(dense.get("bulyan"));
        // Multi-Krum averages its selection: the exact sum against the whole-update rule's sum in double
        for (int j = 0; j < PARAMETERS; j++) {
            assertThat(chunked.get("multi-krum")[j]).isCloseTo(dense.get("multi-krum")[j], within(1e-6f));
        }
        assertThat(chunked.get("krum")).isNotEqualTo(initial);
    }

    @Test
    void aChunkedKrumRoundIsTheSameModelBitForBitAtParallelismOneAndTwo() throws Exception {
        float[] initial = values(PARAMETERS, 1, 0.1, null);
        List<float[]> deltas = round();
        float[][] models = new float[2][];
        for (int p = 1; p <= 2; p++) {
            try (EmbeddedFloe floe = EmbeddedFloe.start(p, p + 1, Duration.ofMillis(300), "0")) {
                send(floe, spec("chunked-multi-krum", initial, 2048, "multi-krum"), deltas);
                models[p - 1] = awaitModel(floe, "chunked-multi-krum", 1);
            }
        }
        assertThat(models[0]).containsExactly(models[1]);
        assertThat(models[0]).isNotEqualTo(initial);
    }

    /** Five honest updates around one direction, two sign-flipped and boosted (u-5, u-6). */
    static List<float[]> round() {
        float[] direction = values(PARAMETERS, 7, 0.02, null);
        List<float[]> out = new java.util.ArrayList<>();
        for (int k = 0; k < CLIENTS; k++) {
            float[] noise = values(PARAMETERS, 100 + k, 0.005, direction);
            if (k >= 5) {
                for (int j = 0; j < PARAMETERS; j++) {
                    noise[j] = -3 * noise[j];
                }
            }
            out.add(noise);
        }
        return out;
    }

    private static void send(EmbeddedFloe floe, ModelSpec spec, List<float[]> deltas) throws Exception {
        send(floe.bootstrapServers(), floe.topics(), spec, deltas);
    }

    /** Registers {@code spec}, waits for its version 0, and sends one update per delta (u-k of site-k, n_k = 10 + 3k). */
    static void send(String servers, io.floe.core.wire.TopicNames topics, ModelSpec spec, List<float[]> deltas) throws Exception {
        String modelId = spec.getModelId();
        boolean chunked = spec.getAggregation().getChunkBytes() != null;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.control(), bytes(modelId), WireCodec.MODEL_SPEC.encode(spec))).get();
            awaitModel(servers, topics, modelId, 0);
            for (int k = 0; k < deltas.size(); k++) {
                float[] delta = deltas.get(k);
                ModelUpdate dense = ModelUpdate.newBuilder().setUpdateId("u-" + k).setModelId(modelId).setClientId("site-" + k)
                        .setBaseVersion(0).setNumExamples(10 + 3 * k).setLocalSteps(1).setCreatedAt(Instant.now())
                        .setTensors(tensors(delta)).setMetrics(Map.of()).build();
                if (!chunked) {
                    producer.send(new ProducerRecord<>(topics.updates(), bytes(modelId), WireCodec.MODEL_UPDATE.encode(dense)));
                    continue;
                }
                ChunkedUpdates.Cut cut = ChunkedUpdates.cut(modelId, "u-" + k, delta, spec.getAggregation().getChunkBytes());
                ModelUpdate header = ModelUpdate.newBuilder(dense).setTensors(List.of()).setChunks(cut.manifest()).build();
                producer.send(new ProducerRecord<>(topics.updates(), bytes(modelId), WireCodec.MODEL_UPDATE.encode(header)));
                for (UpdateChunk chunk : cut.chunks()) {
                    producer.send(new ProducerRecord<>(topics.updates(), bytes(ChunkData.key(modelId, chunk.getIndex())),
                            WireCodec.UPDATE_CHUNK.encode(chunk)));
                }
            }
            producer.flush();
        }
    }

    private static List<Tensor> tensors(float[] v) {
        return List.of(
                Tensor.newBuilder().setName("w").setShape(List.of(100, 90)).setData(ByteBuffer.wrap(ChunkData.encode(v, 0, 9000))).build(),
                Tensor.newBuilder().setName("b").setShape(List.of(1000)).setData(ByteBuffer.wrap(ChunkData.encode(v, 9000, 1000))).build());
    }

    /** {@code chunkBytes} 0: a dense (whole-record) model; Byzantine f = 1. */
    static ModelSpec spec(String modelId, float[] initial, int chunkBytes, String rule) {
        return ModelSpec.newBuilder().setModelId(modelId).setArchitecture("opaque").setInitialTensors(tensors(initial))
                .setAggregation(AggregationConfig.newBuilder().setRule(rule).setByzantineClients(1).setClientsPerRound(CLIENTS)
                        .setChunkBytes(chunkBytes > 0 ? chunkBytes : null).build())
                .setTraining(ClientTrainingConfig.newBuilder().build()).setCreatedAt(Instant.now()).build();
    }

    private static float[] awaitModel(EmbeddedFloe floe, String modelId, long version) throws Exception {
        return awaitModel(floe.bootstrapServers(), floe.topics(), modelId, version);
    }

    /** Version {@code version} of a dense or chunked model, as one vector. */
    static float[] awaitModel(String servers, io.floe.core.wire.TopicNames topics, String modelId, long version) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ChunkedModelAssembly assembly = new ChunkedModelAssembly(modelId);
            GlobalModel found = null;
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(servers, topics.models(), Duration.ofSeconds(10))) {
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (WireCodec.MODEL_CHUNK.hasHeaderOf(r.value())) {
                    ModelChunk c = WireCodec.MODEL_CHUNK.decode(r.value());
                    if (c.getModelId().equals(modelId) && c.getVersion() == version) {
                        assembly.offer(c);
                    }
                } else if (key.equals(modelId)) {
                    GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                    if (m.getVersion() == version) {
                        if (m.getChunks() == null) {
                            found = m;
                        } else {
                            assembly.offer(m);
                        }
                    }
                }
            }
            Optional<GlobalModel> done = found != null ? Optional.of(found) : assembly.complete();
            if (done.isPresent()) {
                return ChunkedRoundsITCase.flatten(done.get(), PARAMETERS);
            }
            Thread.sleep(300);
        }
        throw new AssertionError("version " + version + " of " + modelId + " not complete within " + WAIT);
    }

    private static Map<String, AggregationReport> reports(EmbeddedFloe floe, int count) throws Exception {
        Map<String, AggregationReport> out = new HashMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(floe.bootstrapServers(), floe.topics().reports(),
                    Duration.ofSeconds(10))) {
                AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(r.value());
                if (report.getVersion() == 1) {
                    out.put(report.getModelId(), report);
                }
            }
        }
        assertThat(out).hasSize(count);
        return out;
    }

    private static Map<String, Double> weights(AggregationReport report) {
        Map<String, Double> out = new HashMap<>();
        for (AcceptedUpdate a : report.getAccepted()) {
            out.put(a.getUpdateId(), a.getWeight());
        }
        return out;
    }

    /** Gaussian values of deviation {@code scale}, plus {@code around} when given. */
    static float[] values(int n, long seed, double scale, float[] around) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale + (around == null ? 0 : around[i]));
        }
        return v;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
