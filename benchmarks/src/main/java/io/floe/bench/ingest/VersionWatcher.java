package io.floe.bench.ingest;

import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A trainer's view of floe.models: one read_committed consumer tails every partition from the
 * beginning and notes, per version of one model, the moment its manifest and all of its chunks
 * have been read (the moment a trainer could assemble it). Counts chunk indices rather than
 * holding chunks, so a 400 MB version costs nothing here.
 */
final class VersionWatcher implements AutoCloseable {
    private final String modelId;
    private final Map<Long, Long> readableAtNanos = new ConcurrentHashMap<>();
    private final Map<Long, Integer> expected = new HashMap<>();
    private final Map<Long, BitSet> seen = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    VersionWatcher(String bootstrap, String topic, String modelId) {
        this.modelId = modelId;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a committed transaction's records are fetched at once, not after the default 500 ms wait
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(pi -> new TopicPartition(topic, pi.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        thread = new Thread(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        offer(r.value());
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }, "version-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void offer(byte[] value) {
        long version;
        if (WireCodec.MODEL_CHUNK.hasHeaderOf(value)) {
            ModelChunk c = WireCodec.MODEL_CHUNK.decode(value);
            if (!c.getModelId().equals(modelId)) {
                return;
            }
            version = c.getVersion();
            seen.computeIfAbsent(version, v -> new BitSet()).set(c.getIndex());
        } else if (WireCodec.GLOBAL_MODEL.hasHeaderOf(value)) {
            GlobalModel m = WireCodec.GLOBAL_MODEL.decode(value);
            if (!m.getModelId().equals(modelId) || m.getChunks() == null) {
                return;
            }
            version = m.getVersion();
            expected.put(version, m.getChunks().getSha256().size());
        } else {
            return;
        }
        Integer n = expected.get(version);
        BitSet s = seen.get(version);
        if (n != null && s != null && s.cardinality() == n && !readableAtNanos.containsKey(version)) {
            readableAtNanos.put(version, System.nanoTime());
            seen.remove(version);
        }
    }

    /** When version {@code v} became readable (System.nanoTime), waiting up to {@code timeout} while {@code alive}. */
    long await(long v, Duration timeout, BooleanSupplier alive) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Long at = readableAtNanos.get(v);
            if (at != null) {
                return at;
            }
            if (failure != null) {
                throw new IllegalStateException("the models consumer failed", failure);
            }
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException("the job's JVM exited while waiting for version " + v);
            }
            if (System.nanoTime() > deadline) {
                throw new java.util.concurrent.TimeoutException("version " + v + " not readable within " + timeout);
            }
            Thread.sleep(2);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
    }
}
