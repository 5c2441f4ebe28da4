package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.RejectedUpdate;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.LocalTraining;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.core.spec.Architecture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * floe end to end in one JVM: a real KRaft broker, the aggregation job at parallelism 2 in a Flink
 * MiniCluster with exactly-once output, and three trainers that each train an MLP on one WDBC
 * hospital slice for three synchronous rounds of three clients.
 *
 * <p>While version 1 is open the test adds two records to {@code floe.updates}: random bytes, and a
 * well-formed update from a fourth client whose delta holds a NaN. Both must end on the dead-letter
 * topic and neither may count toward the round. So that the NaN update meets the open round (and
 * not a round that closed before it arrived, which would reject it as WRONG_BASE_VERSION), one
 * trainer is held before it trains on version 1 until both records are acknowledged; its update
 * then sits behind them in the same partition (all records are keyed by model id).
 *
 * <p>The federation runs once in {@link #runThreeRounds()}; each test checks one property of what
 * it left on the topics, read afterwards with fresh read_committed consumers.
 */
class FederatedRoundsITCase {
    private static final String MODEL_ID = "wdbc-it";
    private static final Path WDBC = Path.of("../data/wdbc/breast_cancer.csv");
    private static final int TRAINERS = 3;
    private static final int ROUNDS = 3;
    private static final long SEED = 42;
    private static final String INTRUDER = "intruder-04";
    private static final Duration ALL_ROUNDS = Duration.ofSeconds(120);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedFloe floe;
    private static HospitalsScenario scenario;
    private static final Set<String> trainerIds = ConcurrentHashMap.newKeySet();
    private static final Set<String> publishedUpdateIds = ConcurrentHashMap.newKeySet();
    private static byte[] garbage;
    private static String nanUpdateId;
    /** What the run left on the topics, keyed by version, read after the trainers stopped. */
    private static Map<Long, List<GlobalModel>> modelsByVersion;
    private static Map<Long, AggregationReport> reportsByVersion;
    private static List<DeadLetter> deadLetters;

    @BeforeAll
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    static void runThreeRounds() throws Exception {
        long started = System.nanoTime();
        scenario = HospitalsScenario.load(WDBC, TRAINERS, SEED, 0.5, 0.6);
        floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0");
        ModelSpec spec = ModelRegistration.spec(MODEL_ID, Architecture.parse("mlp(30,16,1)"), SEED,
                AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(TRAINERS).build(),
                ModelRegistration.training(0.1f, 2, 16));
        ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(), spec, new Properties());

        RoundGate gate = null;
        List<TrainerLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<AutoCloseable> clients = new ArrayList<>();
        try {
            for (int i = 0; i < TRAINERS; i++) {
                String clientId = String.format("hospital-%02d", i);
                trainerIds.add(clientId);
                GlobalModelFollower follower = new GlobalModelFollower(floe.bootstrapServers(), floe.topics().models(),
                        MODEL_ID, new Properties());
                clients.add(follower);
                UpdatePublisher publisher = new UpdatePublisher(floe.bootstrapServers(), floe.topics().updates(), new Properties());
                clients.add(publisher);
                LocalTraining training = new NetworkTraining(clientId, scenario.hospitals().get(i),
                        NetworkTraining.DEFAULT_VALIDATION_FRACTION, SEED + i);
                if (i == TRAINERS - 1) {
                    gate = new RoundGate(training, 1);
                    training = gate;
                }
                TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, training, ROUNDS,
                        u -> publishedUpdateIds.add(u.getUpdateId()));
                loops.add(loop);
                Thread t = new Thread(loop, "trainer-" + clientId);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }

            GlobalModel v1 = gate.reached.get(60, TimeUnit.SECONDS);
            garbage = new byte[64];
            new Random(SEED).nextBytes(garbage);
            ModelUpdate nanUpdate = nanUpdateFrom(v1);
            nanUpdateId = nanUpdate.getUpdateId();
            try (KafkaProducer<byte[], byte[]> producer = plainProducer()) {
                byte[] key = MODEL_ID.getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(floe.topics().updates(), key, garbage)).get(10, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>(floe.topics().updates(), key, WireCodec.MODEL_UPDATE.encode(nanUpdate)))
                        .get(10, TimeUnit.SECONDS);
            } finally {
                gate.release();
            }

            awaitVersion(ROUNDS, ALL_ROUNDS);
        } finally {
            if (gate != null) {
                gate.release();
            }
            loops.forEach(TrainerLoop::stop);
            for (Thread t : threads) {
                t.join(10_000);
            }
            for (AutoCloseable c : clients) {
                c.close();
            }
        }
        modelsByVersion = readCommitted(floe.topics().models()).stream()
                .filter(r -> r.key() != null && MODEL_ID.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(r -> WireCodec.GLOBAL_MODEL.decode(r.value()))
                .collect(Collectors.groupingBy(GlobalModel::getVersion, TreeMap::new, Collectors.toList()));
        reportsByVersion = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readCommitted(floe.topics().reports())) {
            AggregationReport rep = WireCodec.AGGREGATION_REPORT.decode(r.value());
            assertThat(reportsByVersion.put(rep.getVersion(), rep)).as("second report for version %d", rep.getVersion()).isNull();
        }
        deadLetters = readCommitted(floe.topics().deadLetter()).stream()
                .map(r -> WireCodec.DEAD_LETTER.decode(r.value()))
                .toList();
        System.out.printf("[test] %d rounds with %d trainers in %.1f s%n", ROUNDS, TRAINERS,
                (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void stopFloe() throws Exception {
        if (floe != null) {
            floe.close();
        }
    }

    @Test
    void everyVersionIsPublishedExactlyOnce() {
        assertThat(modelsByVersion).containsOnlyKeys(0L, 1L, 2L, 3L);
        assertThat(modelsByVersion.values()).allSatisfy(copies -> assertThat(copies).hasSize(1));
        assertThat(modelsByVersion.get(0L).get(0).getProvenance().getUpdateIds()).isEmpty();
    }

    @Test
    void eachRoundAggregatesExactlyTheThreeTrainers() {
        assertThat(reportsByVersion).containsOnlyKeys(0L, 1L, 2L, 3L);
        assertThat(reportsByVersion.get(0L).getStatus()).isEqualTo("CREATED");
        List<String> allAccepted = new ArrayList<>();
        for (long v = 1; v <= ROUNDS; v++) {
            AggregationReport report = reportsByVersion.get(v);
            assertThat(report.getBaseVersion()).isEqualTo(v - 1);
            assertThat(report.getAccepted()).as("accepted in round %d", v - 1).hasSize(TRAINERS);
            assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId)
                    .containsExactlyInAnyOrderElementsOf(trainerIds);
            List<String> accepted = report.getAccepted().stream().map(AcceptedUpdate::getUpdateId).toList();
            assertThat(accepted).doesNotContain(nanUpdateId);
            GlobalModel model = modelsByVersion.get(v).get(0);
            assertThat(model.getProvenance().getParentVersion()).isEqualTo(v - 1);
            assertThat(model.getProvenance().getUpdateIds()).containsExactlyInAnyOrderElementsOf(accepted);
            allAccepted.addAll(accepted);
        }
        assertThat(allAccepted).containsExactlyInAnyOrderElementsOf(publishedUpdateIds);
    }

    @Test
    void roundOnVersionOneReportsTheNanUpdateAsRejected() {
        assertThat(reportsByVersion.get(2L).getRejected())
                .filteredOn(r -> nanUpdateId.equals(r.getUpdateId()))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.getClientId()).isEqualTo(INTRUDER);
                    assertThat(r.getReason()).isEqualTo(RejectionReason.NON_FINITE_VALUES.name());
                });
        assertThat(reportsByVersion.values()).flatMap(AggregationReport::getRejected)
                .extracting(RejectedUpdate::getClientId).containsOnly(INTRUDER);
    }

    @Test
    void federatedModelBeatsTheInitialModelOnTheHeldOutTest() {
        GlobalModelEvaluator evaluator = new GlobalModelEvaluator(scenario.scaledTest());
        double aucV0 = evaluator.evaluate(modelsByVersion.get(0L).get(0)).auc();
        double aucV3 = evaluator.evaluate(modelsByVersion.get(3L).get(0)).auc();
        System.out.printf("[test] test AUC v0 %.4f, v3 %.4f%n", aucV0, aucV3);
        assertThat(aucV3).isGreaterThan(aucV0);
    }

    @Test
    void deadLettersHoldTheGarbageAndTheNanUpdate() {
        assertThat(deadLetters).filteredOn(d -> d.getReason().equals(RejectionReason.UNDECODABLE.name()))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getSourceTopic()).isEqualTo(floe.topics().updates());
                    assertThat(bytes(d.getPayload())).isEqualTo(garbage);
                    assertThat(bytes(d.getKey())).isEqualTo(MODEL_ID.getBytes(StandardCharsets.UTF_8));
                });
        assertThat(deadLetters).filteredOn(d -> d.getReason().equals(RejectionReason.NON_FINITE_VALUES.name()))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getUpdateId()).isEqualTo(nanUpdateId);
                    assertThat(d.getClientId()).isEqualTo(INTRUDER);
                    assertThat(d.getModelId()).isEqualTo(MODEL_ID);
                });
        assertThat(deadLetters).as("nothing else was rejected").hasSize(2);
    }

    @Test
    void jobKeepsRunningAfterBadInput() throws Exception {
        assertThat(floe.jobStatus()).isEqualTo("RUNNING");
    }

    /**
     * Waits on the trainer side of the wire: a fresh read_committed observer of models and reports,
     * until version {@code version} and its report are visible.
     */
    private static void awaitVersion(long version, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long newest = -1;
        try (RoundObserver observer = new RoundObserver(floe.bootstrapServers(), floe.topics(), MODEL_ID)) {
            while (newest < version) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("version " + version + " not published within " + timeout + "; newest "
                            + newest + ", job " + floe.jobStatus());
                }
                for (RoundObserver.PublishedVersion v : observer.poll(Duration.ofMillis(200))) {
                    newest = v.model().getVersion();
                }
            }
        }
    }

    /** A well-formed update for {@code base}'s open round from a client outside the federation, one value NaN. */
    private static ModelUpdate nanUpdateFrom(GlobalModel base) {
        List<Tensor> delta = new ArrayList<>();
        for (Tensor t : TensorRecords.fromRecords(base.getTensors()).tensors()) {
            delta.add(new Tensor(t.name(), t.shape(), new float[t.size()]));
        }
        delta.get(0).values()[0] = Float.NaN;
        return ModelUpdate.newBuilder()
                .setUpdateId(UUID.randomUUID().toString())
                .setModelId(MODEL_ID)
                .setClientId(INTRUDER)
                .setBaseVersion(base.getVersion())
                .setNumExamples(100)
                .setCreatedAt(Instant.now())
                .setTensors(TensorRecords.toRecords(new ModelWeights(delta)))
                .build();
    }

    private static KafkaProducer<byte[], byte[]> plainProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, floe.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return CommittedRecords.read(floe.bootstrapServers(), topic, READ_TIMEOUT);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /**
     * Holds one trainer before it trains on version {@code heldVersion}: hands that version to the
     * test and waits (bounded) until the test releases it, so the test's records enter the open
     * round ahead of this trainer's update.
     */
    private static final class RoundGate implements LocalTraining {
        final CompletableFuture<GlobalModel> reached = new CompletableFuture<>();
        private final CountDownLatch released = new CountDownLatch(1);
        private final LocalTraining inner;
        private final long heldVersion;

        RoundGate(LocalTraining inner, long heldVersion) {
            this.inner = inner;
            this.heldVersion = heldVersion;
        }

        @Override
        public ModelUpdate train(GlobalModel base) {
            if (base.getVersion() == heldVersion) {
                reached.complete(base);
                try {
                    released.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return inner.train(base);
        }

        void release() {
            released.countDown();
        }
    }
}
