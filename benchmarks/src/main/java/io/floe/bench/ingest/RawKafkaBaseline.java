package io.floe.bench.ingest;

import io.floe.core.chunk.ChunkLayout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The baseline of {@code ./floe bench ingest}: the same records on the same broker, with no job between producer and consumer. */
final class RawKafkaBaseline {
    private RawKafkaBaseline() {
    }

    /** The baseline: the same records (headers, then chunks generated the same way) to a plain topic, consumed read_committed by one consumer. */
    static void run(IngestCase c, String bootstrap, Map<Integer, byte[][]> headers, IngestBenchmark.Settings settings,
            Map<String, Object> row) throws Exception {
        if (headers.isEmpty()) {
            return;
        }
        SyntheticUpdates gen = new SyntheticUpdates(IngestBenchmark.MODEL_ID, ChunkLayout.of(c.parameters(), c.chunkBytes()), settings.seed());
        long records = (long) headers.size() * c.clients() * (1 + gen.layout().count());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        AtomicLong lastConsumed = new AtomicLong();
        AtomicLong consumedBytes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumerThread;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(IngestBenchmark.RAW_TOPIC, Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(IngestBenchmark.RAW_TOPIC, pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            consumer.poll(Duration.ZERO);
            Duration timeout = Duration.ofSeconds(120 + (long) (records * c.chunkBytes() / (5 * IngestBenchmark.MB)));
            consumerThread = new Thread(() -> {
                long n = 0;
                long deadline = System.nanoTime() + timeout.toNanos();
                try {
                    while (n < records && System.nanoTime() < deadline) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            n++;
                            consumedBytes.addAndGet(r.value().length);
                            lastConsumed.set(System.nanoTime());
                        }
                    }
                    if (n < records) {
                        failure.set(new IllegalStateException("baseline consumer read " + n + " of " + records + " records within " + timeout));
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "raw-consumer");
            consumerThread.start();
            long first = Long.MAX_VALUE;
            long sentBytes = 0;
            try (Producers producers = new Producers(bootstrap, settings.producers())) {
                for (Map.Entry<Integer, byte[][]> e : headers.entrySet()) {
                    Producers.Sent s = producers.send(IngestBenchmark.RAW_TOPIC, gen, e.getKey(), e.getValue());
                    first = Math.min(first, s.firstSendNanos());
                    sentBytes += s.bytes();
                }
            }
            consumerThread.join();
            if (failure.get() != null) {
                throw new IllegalStateException("baseline failed: " + failure.get(), failure.get());
            }
            double seconds = (lastConsumed.get() - first) / 1e9;
            row.put("rawBytes", consumedBytes.get());
            row.put("rawSeconds", IngestBenchmark.round3(seconds));
            row.put("rawKafkaMBps", IngestBenchmark.round3(consumedBytes.get() / IngestBenchmark.MB / seconds));
            if (sentBytes != consumedBytes.get()) {
                throw new IllegalStateException("baseline sent " + sentBytes + " bytes but read " + consumedBytes.get());
            }
            Object floe = row.get("floeMBps");
            if (floe instanceof Double f) {
                row.put("floeVsRaw", IngestBenchmark.round3(f / (consumedBytes.get() / IngestBenchmark.MB / seconds)));
            }
        }
    }
}
