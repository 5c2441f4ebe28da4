package io.floe.trainer.daemon;

import io.floe.core.wire.MalformedRecordException;
import io.floe.schema.GlobalModel;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
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
 *
 * <p>Rides out broker outages: the partitions are looked up on the first await, not in the
 * constructor, and a lookup that times out (broker down at start) is tried again on the next
 * await; mid-run, the consumer's poll returns nothing until the broker is back. Both are logged by
 * an {@link OutageLog}: one WARN when the outage starts, one INFO when it ends.
 *
 * <p>Chunked models (issue 12): a version is a manifest keyed by the model id plus one
 * {@code ModelChunk} per chunk keyed {@code modelId#index}; the follower hands it out only once
 * every chunk is there and matches the manifest, with its tensors filled in
 * ({@link ModelTopicReader}). Dense versions are handed out as they are read.
 *
 * <p>Signed versions: given the job's public key, the follower hands out only versions whose
 * {@code GlobalModel} record (for a chunked version, its manifest header) that key verifies; any
 * other is ignored with a WARN and counted ({@link #verifier()}), and the newest verified version
 * stays the one handed out. Without a key every version is used, as before.
 */
public final class GlobalModelFollower implements GlobalModelSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GlobalModelFollower.class);
    /** Upper bound of one metadata lookup, so an await returns close to its own timeout. */
    private static final Duration MAX_LOOKUP = Duration.ofSeconds(5);
    /** Pause after a lookup that failed at once, so a refused connection does not spin. */
    private static final Duration LOOKUP_PAUSE = Duration.ofMillis(200);

    private final String modelId;
    private final String modelsTopic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final OutageLog outage;
    private final ModelTopicReader reader;
    private final GlobalModelVerifier verifier;
    private boolean assigned;

    /** Does not contact the broker: the first {@link #awaitNewerThan} finds the topic's partitions. Uses every version. */
    public GlobalModelFollower(String bootstrapServers, String modelsTopic, String modelId, Properties extra) {
        this(bootstrapServers, modelsTopic, modelId, extra, null);
    }

    /**
     * As above, using only versions signed by the job.
     *
     * @param jobKey the job's Ed25519 public key ({@code --job-public-key}); null: every version is used
     */
    public GlobalModelFollower(String bootstrapServers, String modelsTopic, String modelId, Properties extra, PublicKey jobKey) {
        this.modelId = modelId;
        this.modelsTopic = modelsTopic;
        this.verifier = GlobalModelVerifier.of(jobKey);
        this.reader = new ModelTopicReader(modelId, verifier);
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "floe-trainer-models-" + UUID.randomUUID());
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.outage = new OutageLog(LOG, "model " + modelId + " on topic " + modelsTopic);
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
            GlobalModel newest = reader.newest();
            if (newest != null && newest.getVersion() > afterVersion) {
                return Optional.of(newest);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            if (!assigned) {
                assign(Duration.ofNanos(Math.min(left, MAX_LOOKUP.toNanos())));
                continue;
            }
            poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
        }
    }

    /**
     * Looks up the topic's partitions, assigns all of them and seeks to the beginning. While the
     * broker is unreachable (the lookup times out) or the topic does not exist yet, logs, pauses and
     * leaves the follower unassigned for the next call: a trainer started before its broker waits
     * for it instead of exiting.
     */
    private void assign(Duration timeout) {
        long t0 = System.nanoTime();
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(modelsTopic, timeout);
        } catch (RetriableException e) {
            outage.failed("waiting for it to follow the model", e);
            pauseIfFast(t0, timeout);
            return;
        }
        if (partitions == null || partitions.isEmpty()) {
            outage.failed("waiting for the topic to be created (the deployment creates the floe topics)",
                    new IllegalStateException("models topic '" + modelsTopic + "' does not exist"));
            pauseIfFast(t0, timeout);
            return;
        }
        List<TopicPartition> tps = partitions.stream().map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        assigned = true;
        outage.succeeded();
        LOG.debug("following model {} on {} partitions of {}", modelId, tps.size(), modelsTopic);
    }

    private static void pauseIfFast(long t0, Duration timeout) {
        long pause = Math.min(timeout.toNanos(), LOOKUP_PAUSE.toNanos()) - (System.nanoTime() - t0);
        if (pause > 0) {
            try {
                Thread.sleep(Duration.ofNanos(pause).toMillis());
            } catch (InterruptedException e) {
                // keep the flag: the loop's next Kafka call ends with InterruptException
                Thread.currentThread().interrupt();
            }
        }
    }

    private void poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            // without a group, poll returns nothing while the broker is away; a lookup that runs
            // out of time (offsets for the beginning, say) is retried on the next poll
            records = consumer.poll(timeout);
        } catch (RetriableException e) {
            outage.failed("polling again", e);
            return;
        }
        outage.succeeded();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                reader.accept(r.key(), r.value());
            } catch (MalformedRecordException e) {
                LOG.warn("skipping undecodable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            }
        }
    }

    /** What decides which versions are used, with its counts of ignored ones (for metrics). */
    public GlobalModelVerifier verifier() {
        return verifier;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
