package io.floe.deploy.local;

import io.floe.core.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows one model's versions on the models topic from a thread of its own and notes the wall
 * time each version was first seen: with {@code read_committed} when it was published (its
 * transaction committed), with {@code read_uncommitted} when the sink wrote it. Keeps polling
 * through a broker outage.
 */
final class VersionWatch implements AutoCloseable {
    private final String modelId;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Long, Long> firstSeenMillis = new ConcurrentHashMap<>();
    /** Every record of each version, in the order seen (with read_uncommitted, aborted ones too). */
    private final Map<Long, List<byte[]>> copies = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    VersionWatch(String bootstrapServers, String modelsTopic, String modelId, String isolationLevel) {
        this.modelId = modelId;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = consumer.partitionsFor(modelsTopic, Duration.ofSeconds(30)).stream()
                .map(pi -> new TopicPartition(modelsTopic, pi.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        this.thread = new Thread(this::follow, "version-watch-" + isolationLevel);
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        try {
            while (!closed) {
                try {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.key() != null && modelId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                            long version = WireCodec.GLOBAL_MODEL.decode(r.value()).getVersion();
                            copies.computeIfAbsent(version, v -> new CopyOnWriteArrayList<>()).add(r.value());
                            firstSeenMillis.putIfAbsent(version, System.currentTimeMillis());
                        }
                    }
                } catch (WakeupException e) {
                    return;
                } catch (KafkaException e) {
                    // the broker is away: poll again
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The newest version seen so far, -1 if none. */
    long newest() {
        return firstSeenMillis.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** Wall time (epoch millis) {@code version} was first seen, -1 if not yet. */
    long firstSeen(long version) {
        return firstSeenMillis.getOrDefault(version, -1L);
    }

    /** The record values of {@code version} seen so far. */
    List<byte[]> copies(long version) {
        return List.copyOf(copies.getOrDefault(version, List.of()));
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
