package io.floe.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.deploy.local.HospitalsScenario;
import io.floe.deploy.local.LocalFlinkCluster;
import io.floe.flink.AggregationJob;
import io.floe.flink.AggregationJobOptions;
import io.floe.flink.resume.PublishedModels;
import io.floe.flink.shard.KafkaChunkRefetch;
import io.floe.schema.AggregationConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.core.spec.Architecture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * floe on a broker that enforces ACLs: SASL_SSL with SCRAM-SHA-512, {@code StandardAuthorizer},
 * floe's principals and ACLs from {@link FloeAcls}. The aggregation job runs as {@code floe-job}
 * (through its {@code --kafka-properties} file), the model is registered as {@code floe-operator},
 * two trainers train as {@code floe-trainer} for two rounds; then each principal is tried on what
 * it may and may not do.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaAclsITCase {
    private static final String MODEL_ID = "wdbc-acl";
    private static final Path WDBC = Path.of("../data/wdbc/breast_cancer.csv");
    private static final int TRAINERS = 2;
    private static final int ROUNDS = 2;
    private static final long SEED = 7;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path clientDir;

    private static EmbeddedKafkaBroker broker;
    private static LocalFlinkCluster flink;
    private static JobID jobId;
    private static BrokerSecurity security;
    private static Map<FloePrincipal, Path> clientFiles;
    private static final TopicNames TOPICS = TopicNames.defaults();
    /** Versions of the model the trainer principal read back after the rounds. */
    private static SortedSet<Long> versionsReadByTrainer;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void runRoundsOnSecuredBroker() throws Exception {
        long started = System.nanoTime();
        broker = EmbeddedKafkaBroker.builder().saslSsl(true).closeOnJvmExit(true).start();
        security = broker.security().orElseThrow();
        try (Admin admin = broker.createAdmin()) {
            TopicAdmin.createTopics(admin, TopicAdmin.floeTopics(TOPICS, 2), TopicAdmin.DEFAULT_TIMEOUT);
            FloeAcls.forTopics(TOPICS).apply(admin, security, Duration.ofSeconds(30));
        }
        clientFiles = FloeAcls.writeClientProperties(security, clientDir);
        System.out.printf("[test] secured broker %s ready in %.1f s%n", broker.bootstrapServers(), (System.nanoTime() - started) / 1e9);

        flink = LocalFlinkCluster.start(2, "0");
        jobId = submitJob();

        ModelSpec spec = ModelRegistration.spec(MODEL_ID, Architecture.parse("mlp(30,8,1)"), SEED,
                AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(TRAINERS).build(),
                ModelRegistration.training(0.1f, 1, 16));
        ModelRegistration.publish(broker.bootstrapServers(), TOPICS.control(), spec, properties(FloePrincipal.OPERATOR));

        HospitalsScenario scenario = HospitalsScenario.load(WDBC, TRAINERS, SEED, 0.5, 0.6);
        List<TrainerLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<AutoCloseable> clients = new ArrayList<>();
        try {
            for (int i = 0; i < TRAINERS; i++) {
                String clientId = "site-" + i;
                GlobalModelFollower follower = new GlobalModelFollower(broker.bootstrapServers(), TOPICS.models(), MODEL_ID,
                        properties(FloePrincipal.TRAINER));
                clients.add(follower);
                UpdatePublisher publisher = new UpdatePublisher(broker.bootstrapServers(), TOPICS.updates(),
                        properties(FloePrincipal.TRAINER));
                clients.add(publisher);
                TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, new NetworkTraining(clientId,
                        scenario.hospitals().get(i), NetworkTraining.DEFAULT_VALIDATION_FRACTION, SEED + i), ROUNDS, u -> { });
                loops.add(loop);
                Thread t = new Thread(loop, "trainer-" + clientId);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(90));
            }
            versionsReadByTrainer = awaitVersions(ROUNDS, Duration.ofSeconds(30));
        } finally {
            loops.forEach(TrainerLoop::stop);
            for (AutoCloseable c : clients) {
                c.close();
            }
        }
        System.out.printf("[test] %d rounds on the secured broker in %.1f s, versions %s%n", ROUNDS,
                (System.nanoTime() - started) / 1e9, versionsReadByTrainer);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (flink != null) {
                try {
                    flink.cancel(jobId, Duration.ofSeconds(30));
                } catch (Exception ignored) {
                    // the job may have failed already; closing the cluster stops it anyway
                }
                flink.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void jobPublishesRoundsThatTheTrainerReadsBack() throws Exception {
        assertThat(versionsReadByTrainer).as("versions of %s on %s", MODEL_ID, TOPICS.models()).contains(0L, 1L, 2L);
        assertThat(flink.jobStatus(jobId)).isEqualTo("RUNNING");
    }

    @Test
    void trainerWritesUpdatesAndHeartbeats() throws Exception {
        try (KafkaProducer<byte[], byte[]> trainer = producer(FloePrincipal.TRAINER, null)) {
            // not a decodable update: the job dead-letters it, which is fine here
            send(trainer, TOPICS.updates());
            send(trainer, TOPICS.clients());
        }
    }

    @Test
    void trainerMayNotWriteControlOrModels() {
        try (KafkaProducer<byte[], byte[]> trainer = producer(FloePrincipal.TRAINER, null)) {
            assertRefused(TopicAuthorizationException.class, () -> send(trainer, TOPICS.control()));
            assertRefused(TopicAuthorizationException.class, () -> send(trainer, TOPICS.models()));
        }
    }

    @Test
    void trainerMayNotPublishModelsTheWayTheJobDoes() {
        // the job's exactly-once sink writes models in transactions under its prefix
        try (KafkaProducer<byte[], byte[]> trainer = producer(FloePrincipal.TRAINER, FloeAcls.DEFAULT_JOB_PREFIX + "forged-0")) {
            assertThatThrownBy(trainer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    @Test
    void trainerMayNotReadOtherTrainersUpdates() {
        try (KafkaConsumer<byte[], byte[]> trainer = consumer(FloePrincipal.TRAINER)) {
            trainer.assign(List.of(new TopicPartition(TOPICS.updates(), 0)));
            trainer.seekToBeginning(trainer.assignment());
            assertThatThrownBy(() -> trainer.poll(Duration.ofSeconds(10))).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void operatorWritesControlButNotModels() throws Exception {
        try (KafkaProducer<byte[], byte[]> operator = producer(FloePrincipal.OPERATOR, null)) {
            // not a decodable spec: the job dead-letters it
            send(operator, TOPICS.control());
            assertRefused(TopicAuthorizationException.class, () -> send(operator, TOPICS.models()));
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        Properties p = properties(FloePrincipal.TRAINER);
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"" + FloePrincipal.TRAINER.userName() + "\" password=\"guessed\";");
        try (KafkaProducer<byte[], byte[]> intruder = new KafkaProducer<>(withProducerDefaults(p, null),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            assertRefused(SaslAuthenticationException.class, () -> send(intruder, TOPICS.updates()));
        }
    }

    /** Submits the aggregation job as the production main does, with the job principal's --kafka-properties. */
    private static JobID submitJob() throws Exception {
        AggregationJobOptions options = new AggregationJobOptions();
        options.bootstrapServers = broker.bootstrapServers();
        options.kafkaPropertiesFile = clientFiles.get(FloePrincipal.JOB);
        options.checkpointIntervalMs = 300;
        options.parallelism = 2;
        options.groupId = FloeAcls.DEFAULT_JOB_PREFIX + "aggregator-acl";
        options.transactionalIdPrefix = FloeAcls.DEFAULT_JOB_PREFIX + "aggregator-acl-" + System.currentTimeMillis();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AggregationJob.configure(env, options);
        PublishedModels published = AggregationJob.publishedModels(options);
        AggregationJob.buildPipeline(env, AggregationJob.kafkaSource(options, published), AggregationJob.kafkaSink(options),
                options.topics(), options.dpNoiseSecret(), published,
                new KafkaChunkRefetch(options.bootstrapServers, options.kafkaProperties()));
        return flink.submit(env, "floe aggregation (ACLs)");
    }

    /** Reads the models topic as the trainer principal until version {@code newest} of the model is there. */
    private static SortedSet<Long> awaitVersions(long newest, Duration timeout) {
        SortedSet<Long> versions = new TreeSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> trainer = consumer(FloePrincipal.TRAINER)) {
            List<TopicPartition> partitions = trainer.partitionsFor(TOPICS.models()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            trainer.assign(partitions);
            trainer.seekToBeginning(partitions);
            while (versions.isEmpty() || versions.last() < newest) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("version " + newest + " not readable within " + timeout + "; read " + versions);
                }
                for (ConsumerRecord<byte[], byte[]> r : trainer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && MODEL_ID.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                        versions.add(m.getVersion());
                    }
                }
            }
        }
        return versions;
    }

    private static Properties properties(FloePrincipal who) {
        Properties p = new Properties();
        security.clientProperties(who.userName()).forEach(p::put);
        return p;
    }

    private static KafkaProducer<byte[], byte[]> producer(FloePrincipal who, String transactionalId) {
        return new KafkaProducer<>(withProducerDefaults(properties(who), transactionalId),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Properties withProducerDefaults(Properties p, String transactionalId) {
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return p;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(FloePrincipal who) {
        Properties p = properties(who);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Sends one small record to {@code topic} and waits for the broker's answer. */
    private static void send(KafkaProducer<byte[], byte[]> producer, String topic) throws Exception {
        byte[] key = "acl-probe".getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, key, new byte[] {1, 2, 3})).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asserts that {@code call} fails with {@code type}, thrown itself or as the cause of the future's ExecutionException. */
    private static void assertRefused(Class<? extends Throwable> type, ThrowingCallable call) {
        assertThatThrownBy(call).satisfiesAnyOf(
                t -> assertThat(t).isInstanceOf(type),
                t -> assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(type));
    }
}
