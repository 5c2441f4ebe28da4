package io.floe.bench.ingest;

import io.floe.core.wire.UpdatePartitions;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A few producers with Kafka's defaults (max.request.size 1 MiB: chunk records fit), one sending
 * thread each; headers and chunks on the partitions trainers use ({@link UpdatePartitions}).
 */
final class Producers implements AutoCloseable {
    /** What one round's send took. */
    record Sent(long firstSendNanos, long lastAckNanos, long bytes) {
    }

    private final List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
    private final ExecutorService pool;

    Producers(String bootstrap, int n) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        for (int i = 0; i < n; i++) {
            producers.add(new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
        }
        pool = Executors.newFixedThreadPool(n);
    }

    void sendSync(String topic, byte[] key, byte[] value) throws Exception {
        producers.get(0).send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** Sends round r's updates: client k on producer k mod n, its header first, then its chunks in order; waits for every ack. */
    Sent send(String topic, SyntheticUpdates gen, long r, byte[][] headers) throws Exception {
        int n = producers.size();
        AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastAck = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Exception> failed = new AtomicReference<>();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int thread = t;
            fs.add(pool.submit(() -> {
                KafkaProducer<byte[], byte[]> producer = producers.get(thread);
                int partitions = producer.partitionsFor(topic).size();
                for (int k = thread; k < headers.length; k += n) {
                    first.accumulateAndGet(System.nanoTime(), Math::min);
                    send(producer, topic, UpdatePartitions.header(partitions), gen.headerKey(), headers[k], lastAck, bytes, failed);
                    for (int i = 0; i < gen.layout().count(); i++) {
                        send(producer, topic, UpdatePartitions.chunk(i, partitions), gen.chunkKey(i), gen.chunkRecord(r, k, i), lastAck,
                                bytes, failed);
                    }
                }
                producer.flush();
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        return new Sent(first.get(), lastAck.get(), bytes.get());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, Integer partition, byte[] key, byte[] value,
            AtomicLong lastAck, AtomicLong bytes, AtomicReference<Exception> failed) {
        producer.send(new ProducerRecord<>(topic, partition, key, value), (md, e) -> {
            if (e != null) {
                failed.compareAndSet(null, e);
            } else {
                lastAck.accumulateAndGet(System.nanoTime(), Math::max);
                bytes.addAndGet(value.length);
            }
        });
    }

    @Override
    public void close() {
        pool.shutdownNow();
        producers.forEach(KafkaProducer::close);
    }
}
