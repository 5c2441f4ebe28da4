package io.floe.deploy.kafka;

import io.floe.core.wire.TopicNames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs against a real in-JVM Kafka 4.2 broker (KRaft combined mode). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBrokerTest {

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.start();
        System.out.println("[test] embedded Kafka up at " + kafka.bootstrapServers() + " in "
                + kafka.startupDuration().toMillis() + " ms");
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void listensOnLoopbackAndServesClients() throws Exception {
        assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+").isEqualTo("127.0.0.1:" + kafka.port());
        assertThat(kafka.port()).isPositive().isNotEqualTo(kafka.controllerPort());
        assertThat(kafka.isRunning()).isTrue();
        assertThat(kafka.clusterId()).isNotBlank();
        try (Admin admin = kafka.createAdmin()) {
            var cluster = admin.describeCluster();
            assertThat(cluster.nodes().get(10, TimeUnit.SECONDS)).singleElement()
                    .satisfies(n -> {
                        assertThat(n.id()).isEqualTo(EmbeddedKafkaBroker.NODE_ID);
                        assertThat(n.host()).isEqualTo("127.0.0.1");
                        assertThat(n.port()).isEqualTo(kafka.port());
                    });
            assertThat(cluster.clusterId().get(10, TimeUnit.SECONDS)).isEqualTo(kafka.clusterId());
        }
    }

    @Test
    void createsFloeTopicsIdempotentlyWithCompactedModels() throws Exception {
        TopicNames names = TopicNames.defaults();
        TopicAdmin.createFloeTopics(kafka.bootstrapServers(), names, 3);
        // second call: everything already exists, must not fail
        TopicAdmin.createTopics(kafka.bootstrapServers(), TopicAdmin.floeTopics(names, 3));

        try (Admin admin = kafka.createAdmin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                    .contains("floe.control", "floe.updates", "floe.models", "floe.reports", "floe.deadletter", "floe.clients");
            assertThat(admin.describeTopics(names.all()).allTopicNames().get(10, TimeUnit.SECONDS).values())
                    .allSatisfy(d -> assertThat(d.partitions()).hasSize(3));

            ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, names.models());
            ConfigResource updates = new ConfigResource(ConfigResource.Type.TOPIC, names.updates());
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(List.of(models, updates)).all().get(10, TimeUnit.SECONDS);
            assertThat(configs.get(models).get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            assertThat(configs.get(updates).get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
        }
    }

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransaction() {
        String topic = "tx-check";
        TopicAdmin.createTopics(kafka.bootstrapServers(), List.of(new NewTopic(topic, 1, (short) 1)));

        Map<String, Object> producerProps = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "floe-tx-test",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }

        Map<String, Object> consumerProps = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            // with read_committed, endOffsets is the last stable offset: past both transactions' markers
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            assertThat(end).as("2 records + commit marker + abort marker").isEqualTo(4);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (consumer.position(tp, Duration.ofSeconds(10)) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.value());
                }
            }
            assertThat(consumer.position(tp)).isEqualTo(end);
        }
        assertThat(seen).containsExactly("committed");
    }

    @Test
    void closeIsBoundedAndRemovesTheTempDataDir() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Path dir = broker.dataDir();
        assertThat(dir).isDirectory();
        assertThat(dir.resolve("logs").resolve("meta.properties")).isRegularFile();
        TopicAdmin.createTopics(broker.bootstrapServers(), List.of(new NewTopic("some-data", 2, (short) 1)));

        long t0 = System.nanoTime();
        broker.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("[test] close() took " + closeMs + " ms");

        assertThat(closeMs).isLessThan(10_000);
        assertThat(Files.exists(dir)).isFalse();
        assertThat(broker.isRunning()).isFalse();
        assertThatCode(broker::close).doesNotThrowAnyException(); // idempotent
    }

    @Test
    void compactedTopicIsActuallyCompacted() {
        String topic = "compact-check";
        TopicAdmin.createTopics(kafka.bootstrapServers(), List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_MS_CONFIG, "100",
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0"))));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 4; i++) {
                producer.send(new ProducerRecord<>(topic, "model", "v" + i)).get(10, TimeUnit.SECONDS);
                Thread.sleep(150); // > segment.ms: every record rolls a new segment
            }
            producer.send(new ProducerRecord<>(topic, "other", "x")).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> models;
        do {
            models = readAll(tp).stream().filter(r -> r.key().equals("model")).map(ConsumerRecord::value).toList();
        } while (models.size() > 1 && System.nanoTime() < deadline && sleep(300));
        assertThat(models).as("log cleaner keeps only the latest value per key").containsExactly("v3");
    }

    @Test
    void givenDataDirIsKeptAndCanBeRestarted(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("kafka");
        String clusterId;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDir(dir).start()) {
            clusterId = first.clusterId();
            TopicAdmin.createTopics(first.bootstrapServers(), List.of(new NewTopic("survivor", 1, (short) 1)));
        }
        assertThat(dir.resolve("logs").resolve("meta.properties")).isRegularFile();
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDir(dir).start();
             Admin admin = second.createAdmin()) {
            assertThat(second.clusterId()).isEqualTo(clusterId);
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("survivor");
        }
        assertThat(dir).isDirectory();
    }

    @Test
    void stopForRestartComesBackOnTheSamePortWithItsDataAndCloseStillDeletesTheTempDir() throws Exception {
        EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().start();
        Path dir = first.dataDir();
        TopicAdmin.createTopics(first.bootstrapServers(), List.of(new NewTopic("outlived", 1, (short) 1)));
        EmbeddedKafkaBroker.Builder again = first.stopForRestart();
        assertThat(first.isRunning()).isFalse();
        assertThat(dir.resolve("logs").resolve("meta.properties")).as("data kept through the outage").isRegularFile();
        first.close(); // a no-op: stopped already, and the data stays for the restart

        try (EmbeddedKafkaBroker second = again.start(); Admin admin = second.createAdmin()) {
            assertThat(second.port()).isEqualTo(first.port());
            assertThat(second.controllerPort()).isEqualTo(first.controllerPort());
            assertThat(second.clusterId()).isEqualTo(first.clusterId());
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("outlived");
        }
        assertThat(dir).as("the temp dir goes with the restarted broker's close").doesNotExist();
    }

    @Test
    void floeTopicNamesAreParameters() {
        TopicNames custom = new TopicNames("c", "u", "m", "r", "d", "h", "s");
        assertThat(TopicAdmin.floeTopics(custom, 2)).extracting(NewTopic::name).containsExactly("c", "u", "m", "r", "d", "h", "s");
        assertThat(TopicAdmin.floeTopics(custom, 2)).filteredOn(t -> t.name().equals("h")).singleElement()
                .satisfies(t -> assertThat(t.configs()).containsEntry("retention.ms", String.valueOf(TopicAdmin.CLIENTS_RETENTION_MS))
                        .doesNotContainKey("cleanup.policy"));
        assertThat(TopicAdmin.floeTopics(custom, 2)).filteredOn(t -> t.name().equals("m")).singleElement()
                .satisfies(t -> assertThat(t.configs()).containsEntry("cleanup.policy", "compact"));
        assertThat(TopicAdmin.floeTopics(custom, 2)).filteredOn(t -> t.name().equals("u") || t.name().equals("s")).hasSize(2)
                .allSatisfy(t -> assertThat(t.configs()).doesNotContainKey("cleanup.policy").doesNotContainKey("retention.ms"));
        assertThat(TopicAdmin.floeTopics(custom, 2)).filteredOn(t -> t.name().equals("c") || t.name().equals("r"))
                .hasSize(2).allSatisfy(t -> assertThat(t.configs()).containsEntry("retention.ms", "-1"));
        assertThat(TopicNames.withPrefix("run1.floe.").models()).isEqualTo("run1.floe.models");
    }

    private static List<ConsumerRecord<String, String>> readAll(TopicPartition tp) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (consumer.position(tp, Duration.ofSeconds(10)) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
