package io.floe.flink.shard;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** {@link ChunkRefetch} from the broker: a consumer of its own (no group), assigned and seeked to the one record, read_committed. */
public final class KafkaChunkRefetch implements ChunkRefetch {
    private static final long serialVersionUID = 1L;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Properties properties;
    private transient KafkaConsumer<byte[], byte[]> consumer;

    public KafkaChunkRefetch(String bootstrapServers, Properties kafkaProperties) {
        this.properties = new Properties();
        this.properties.putAll(kafkaProperties);
        this.properties.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.properties.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.properties.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        this.properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    }

    @Override
    public byte[] fetch(String topic, int partition, long offset) {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() == offset) {
                    return r.value();
                }
                if (r.offset() > offset) {
                    throw new IllegalStateException(topic + "-" + partition + "@" + offset + " is gone (compacted or deleted)");
                }
            }
        }
        throw new IllegalStateException("could not read " + topic + "-" + partition + "@" + offset + " within " + TIMEOUT);
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
    }
}
