package io.floe.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.PublishRetry;
import io.floe.trainer.daemon.UpdatePublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trainers' Kafka clients against a real broker that goes away and comes back on the same port
 * and data: an update published during the outage lands exactly once, and a follower started
 * during it finds the model published afterwards. The producer's timeouts are cut to seconds, so
 * an outage of {@link #OUTAGE} outlasts its delivery timeout as a minute-long one would the defaults.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TrainerBrokerOutageITCase {
    private static final String MODEL_ID = "wdbc";
    /** Longer than the producer's delivery.timeout.ms (3 s) below: without retrying the publish fails. */
    private static final Duration OUTAGE = Duration.ofSeconds(6);

    @Test
    void anUpdatePublishedWhileTheBrokerIsDownLandsExactlyOnceWhenItIsBack(@TempDir Path tmp) throws Exception {
        // Prepare: a trainer that published once, then loses its broker
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(tmp.resolve("kafka")).start();
        String topic = "floe.updates";
        TopicAdmin.createTopics(broker.bootstrapServers(), List.of(new NewTopic(topic, 2, (short) 1)));
        try (UpdatePublisher publisher = new UpdatePublisher(broker.bootstrapServers(), topic, shortProducerTimeouts(),
                new PublishRetry(Duration.ofMillis(200), Duration.ofSeconds(1), 7L))) {
            publisher.publish(update("u-before"));
            broker.close();

            // Execute: publish while the broker is down for longer than the delivery timeout
            CompletableFuture<Void> during = CompletableFuture.runAsync(() -> {
                try {
                    publisher.publish(update("u-during"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(OUTAGE.toMillis());
            boolean doneWhileDown = during.isDone();
            broker = restart(broker);
            during.get(30, TimeUnit.SECONDS);

            // Assert: it waited (no failure, no early return) and the update is on the topic once
            assertThat(doneWhileDown).as("publish finished (or failed) while the broker was down").isFalse();
            assertThat(updateIdsOn(broker.bootstrapServers(), topic)).containsExactlyInAnyOrder("u-before", "u-during");
        } finally {
            broker.close();
        }
    }

    @Test
    void aFollowerStartedWhileTheBrokerIsDownFindsAModelPublishedAfterItComesUp(@TempDir Path tmp) throws Exception {
        // Prepare: the models topic exists, then the broker goes down before the trainer starts
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(tmp.resolve("kafka")).start();
        String topic = "floe.models";
        TopicAdmin.createTopics(broker.bootstrapServers(), List.of(new NewTopic(topic, 2, (short) 1)));
        broker.close();
        try (GlobalModelFollower follower = new GlobalModelFollower(broker.bootstrapServers(), topic, MODEL_ID,
                new Properties())) {
            CompletableFuture<GlobalModel> found = CompletableFuture.supplyAsync(() -> awaitFirst(follower, Duration.ofSeconds(60)));

            // Execute: the broker comes back and the job publishes version 1
            Thread.sleep(OUTAGE.toMillis());
            boolean doneWhileDown = found.isDone();
            broker = restart(broker);
            publishModel(broker.bootstrapServers(), topic, 1);

            // Assert
            assertThat(doneWhileDown).as("follower finished (or failed) while the broker was down").isFalse();
            assertThat(found.get(45, TimeUnit.SECONDS).getVersion()).isEqualTo(1L);
        } finally {
            broker.close();
        }
    }

    /** The same broker again: same ports, same data dir, so clients configured for it reconnect. */
    private static EmbeddedKafkaBroker restart(EmbeddedKafkaBroker stopped) {
        return EmbeddedKafkaBroker.builder().dataDir(stopped.dataDir()).port(stopped.port())
                .controllerPort(stopped.controllerPort()).start();
    }

    private static GlobalModel awaitFirst(GlobalModelFollower follower, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            // the trainer loop's own cadence
            Optional<GlobalModel> m = follower.awaitNewerThan(-1, Duration.ofMillis(500));
            if (m.isPresent()) {
                return m.get();
            }
        }
        throw new AssertionError("no model within " + timeout);
    }

    private static Properties shortProducerTimeouts() {
        Properties p = new Properties();
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        return p;
    }

    /** The updateIds of every record on the topic, read from the beginning (read_uncommitted: all that landed). */
    private static List<String> updateIdsOn(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(10));
            List<String> ids = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    ids.add(WireCodec.MODEL_UPDATE.decode(r.value()).getUpdateId());
                }
            }
            return ids;
        }
    }

    private static void publishModel(String bootstrap, String topic, long version) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        GlobalModel model = GlobalModel.newBuilder()
                .setModelId(MODEL_ID)
                .setVersion(version)
                .setCreatedAt(Instant.EPOCH)
                .setArchitecture("logreg(2)")
                .setTensors(List.of())
                .setTraining(ClientTrainingConfig.newBuilder().build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1).setUpdateIds(List.of()).build())
                .build();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, MODEL_ID.getBytes(StandardCharsets.UTF_8),
                    WireCodec.GLOBAL_MODEL.encode(model))).get(20, TimeUnit.SECONDS);
        }
    }

    private static ModelUpdate update(String updateId) {
        return ModelUpdate.newBuilder()
                .setUpdateId(updateId)
                .setModelId(MODEL_ID)
                .setClientId("hospital-07")
                .setBaseVersion(0)
                .setNumExamples(1)
                .setCreatedAt(Instant.EPOCH)
                .setTensors(List.of())
                .setMetrics(Map.of())
                .build();
    }
}
