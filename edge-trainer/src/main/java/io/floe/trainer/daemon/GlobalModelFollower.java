package io.floe.trainer.daemon;

import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one model's global versions on the compacted models topic.
 *
 * <p>Reads read_committed (the job publishes transactionally, so only versions of completed
 * checkpoints are seen), assigns every partition and starts from the beginning: compaction keeps
 * the newest version per model id, so a trainer that starts late still finds it. Not a consumer
 * group member: every trainer must see every version.
 */
public final class GlobalModelFollower implements GlobalModelSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GlobalModelFollower.class);

    private final String modelId;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private GlobalModel newest;

    public GlobalModelFollower(String bootstrapServers, String modelsTopic, String modelId, Properties extra) {
        this.modelId = modelId;
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "floe-trainer-models-" + UUID.randomUUID());
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<PartitionInfo> partitions = consumer.partitionsFor(modelsTopic, Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("models topic '" + modelsTopic + "' does not exist");
        }
        List<TopicPartition> tps = partitions.stream().map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
    }

    /**
     * Waits until a version newer than {@code afterVersion} is available and returns the newest one.
     *
     * @return empty when {@code timeout} passes first
     */
    @Override
    public Optional<GlobalModel> awaitNewerThan(long afterVersion, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (newest != null && newest.getVersion() > afterVersion) {
                return Optional.of(newest);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
        }
    }

    private void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            if (r.key() == null || !modelId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                continue;
            }
            try {
                GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                if (newest == null || m.getVersion() > newest.getVersion()) {
                    newest = m;
                }
            } catch (MalformedRecordException e) {
                LOG.warn("skipping undecodable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
