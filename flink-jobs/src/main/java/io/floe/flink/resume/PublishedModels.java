package io.floe.flink.resume;

import io.floe.core.privacy.PrivacyLedger;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.RecordSize;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.PrivacyLedgerEntry;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per model, the newest committed {@link GlobalModel} on the models topic and the
 * {@link PrivacyLedger} its newest report with a privacy entry describes: what a job that starts
 * without state (checkpoints lost, a redeploy without a savepoint) continues from, so version
 * numbers never go backwards and privacy spent stays spent.
 *
 * <p>Read once at submission with a plain consumer, {@code read_committed}, every partition from
 * the beginning to its end offset ({@link #read}); handed to the operator as single-object bytes
 * (the operator is serialized into the job graph). Server optimizer moments are not published,
 * so they are not here: a continued model's adaptive server optimizer starts afresh.
 *
 * <p>Also, per model, the updates its newest version's report accepted ({@link #appliedOnNewest}):
 * the job reads the updates topic again from about the time that version was made, and the update
 * that completed it (FedAsync's one update, FedBuff's last) may be among those read again; the
 * continued model treats them as already applied instead of aggregating them a second time.
 *
 * <pre>{@code
 * PublishedModels resume = PublishedModels.read(bootstrap, kafkaProperties, topics, Duration.ofMinutes(2));
 * resume.model("hospitals").map(GlobalModel::getVersion); // Optional[126]
 * }</pre>
 */
public final class PublishedModels implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PublishedModels.class);

    /** Model id -> the newest GlobalModel's single-object bytes. */
    private final TreeMap<String, byte[]> models;
    /** Model id -> the encoded ledger rebuilt from the newest report carrying a privacy entry. */
    private final TreeMap<String, byte[]> ledgers;
    /** Model id -> the newest version, for the log line and tests. */
    private final TreeMap<String, Long> versions;
    /** Model id -> (client id -> update id) accepted by the newest version's report. */
    private final TreeMap<String, TreeMap<String, String>> applied;

    private PublishedModels(TreeMap<String, byte[]> models, TreeMap<String, byte[]> ledgers, TreeMap<String, Long> versions,
            TreeMap<String, TreeMap<String, String>> applied) {
        this.models = models;
        this.ledgers = ledgers;
        this.versions = versions;
        this.applied = applied;
    }

    /** Nothing to continue from: every model starts at version 0 (a new deployment, or {@code --no-resume-from-topics}). */
    public static PublishedModels none() {
        return new PublishedModels(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }

    /**
     * The newest version per model among {@code published}, the ledger of each model's newest
     * report with a privacy entry among {@code reports} (reports in topic order: of two reports on
     * the same version, the later one counts), and the updates accepted by the reports of each
     * model's newest version.
     */
    public static PublishedModels of(List<GlobalModel> published, List<AggregationReport> reports) {
        TreeMap<String, GlobalModel> newest = new TreeMap<>();
        for (GlobalModel m : published) {
            newest.merge(m.getModelId(), m, (a, b) -> b.getVersion() >= a.getVersion() ? b : a);
        }
        TreeMap<String, AggregationReport> withPrivacy = new TreeMap<>();
        for (AggregationReport r : reports) {
            if (r.getPrivacy() != null) {
                withPrivacy.merge(r.getModelId(), r, (a, b) -> b.getVersion() >= a.getVersion() ? b : a);
            }
        }
        TreeMap<String, byte[]> models = new TreeMap<>();
        TreeMap<String, Long> versions = new TreeMap<>();
        newest.forEach((id, m) -> {
            models.put(id, WireCodec.GLOBAL_MODEL.encode(m));
            versions.put(id, m.getVersion());
        });
        TreeMap<String, byte[]> ledgers = new TreeMap<>();
        withPrivacy.forEach((id, r) -> ledgers.put(id, ledgerOf(r.getPrivacy()).encode()));
        TreeMap<String, TreeMap<String, String>> applied = new TreeMap<>();
        for (AggregationReport r : reports) {
            Long newestVersion = versions.get(r.getModelId());
            if (newestVersion != null && r.getVersion() == newestVersion && r.getAccepted() != null) {
                for (AcceptedUpdate a : r.getAccepted()) {
                    applied.computeIfAbsent(r.getModelId(), id -> new TreeMap<>()).put(a.getClientId(), a.getUpdateId());
                }
            }
        }
        return new PublishedModels(models, ledgers, versions, applied);
    }

    /** The ledger a report's privacy entry describes: its rounds at its (q, z), its clip norm, its exhausted flag. */
    static PrivacyLedger ledgerOf(PrivacyLedgerEntry e) {
        return PrivacyLedger.resumed(e.getRounds(), e.getSampleRate(), e.getNoiseMultiplier(), e.getClipNorm(), e.getExhausted(),
                e.getEpsilon(), e.getDelta());
    }

    /**
     * Reads the models and reports topics, {@code read_committed}, from the beginning to the end
     * offsets they have now. A topic that does not exist holds nothing to continue from.
     *
     * @throws IllegalStateException when the topics cannot be read to their end within {@code timeout}:
     *     continuing from a part of them could publish an older version again
     */
    public static PublishedModels read(String bootstrapServers, Properties kafkaProperties, TopicNames topics, Duration timeout) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.setProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(RecordSize.MAX_BYTES));
        props.setProperty(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(RecordSize.MAX_BYTES));
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, GlobalModel> models = new TreeMap<>();
        Map<String, AggregationReport> reports = new TreeMap<>();
        Map<String, AggregationReport> accepting = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<String, List<PartitionInfo>> existing = consumer.listTopics(timeout);
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(topics.models(), topics.reports())) {
                for (PartitionInfo p : existing.getOrDefault(topic, List.of())) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (!atEnd(consumer, end)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("could not read " + topics.models() + " and " + topics.reports()
                            + " to their end within " + timeout + "; raise --resume-timeout-ms, or start every model at version 0"
                            + " with --no-resume-from-topics");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofNanos(Math.min(left, 500_000_000L)))) {
                    collect(r, topics, models, reports, accepting);
                }
            }
        }
        List<AggregationReport> kept = new ArrayList<>(reports.values());
        kept.addAll(accepting.values());
        PublishedModels found = of(List.copyOf(models.values()), kept);
        if (found.versions.isEmpty()) {
            LOG.info("nothing to resume: {} holds no model", topics.models());
        } else {
            LOG.info("resuming {} models from {}: {}", found.versions.size(), topics.models(), found.describe());
        }
        return found;
    }

    private static boolean atEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Keeps, per model, only the newest version, the newest report with a privacy entry and the
     * newest report that accepted updates read so far.
     */
    private static void collect(ConsumerRecord<byte[], byte[]> r, TopicNames topics, Map<String, GlobalModel> models,
            Map<String, AggregationReport> reports, Map<String, AggregationReport> accepting) {
        if (r.value() == null) {
            return;
        }
        try {
            if (r.topic().equals(topics.models()) && WireCodec.MODEL_CHUNK.hasHeaderOf(r.value())) {
                return; // a chunk of a chunked model: its manifest (a GlobalModel) is what counts here
            }
            if (r.topic().equals(topics.models())) {
                // a compacted topic may still hold older versions (compaction lags), and a version 0
                // republished by an older job may follow a newer version: the highest version counts
                GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                models.merge(m.getModelId(), m, (a, b) -> b.getVersion() >= a.getVersion() ? b : a);
            } else {
                AggregationReport rep = WireCodec.AGGREGATION_REPORT.decode(r.value());
                if (rep.getPrivacy() != null) {
                    reports.merge(rep.getModelId(), rep, (a, b) -> b.getVersion() >= a.getVersion() ? b : a);
                }
                if (rep.getAccepted() != null && !rep.getAccepted().isEmpty()) {
                    accepting.merge(rep.getModelId(), rep, (a, b) -> b.getVersion() >= a.getVersion() ? b : a);
                }
            }
        } catch (MalformedRecordException e) {
            LOG.warn("skipping undecodable record {}-{}@{} while reading what to resume: {}", r.topic(), r.partition(), r.offset(),
                    e.getMessage());
        }
    }

    /** The newest published version of {@code modelId}, if any. */
    public Optional<GlobalModel> model(String modelId) {
        byte[] bytes = models.get(modelId);
        return bytes == null ? Optional.empty() : Optional.of(WireCodec.GLOBAL_MODEL.decode(bytes));
    }

    /** The encoded size of {@code modelId}'s newest published version, -1 when it has none. */
    public long modelBytes(String modelId) {
        byte[] bytes = models.get(modelId);
        return bytes == null ? -1 : bytes.length;
    }

    /** The privacy ledger of {@code modelId}'s newest report with a privacy entry, if any. */
    public Optional<PrivacyLedger> ledger(String modelId) {
        byte[] bytes = ledgers.get(modelId);
        return bytes == null ? Optional.empty() : Optional.of(PrivacyLedger.decode(bytes));
    }

    /**
     * Client id -> update id of each update the report of {@code modelId}'s newest version
     * accepted; empty for a model not here or a version without such a report.
     */
    public Map<String, String> appliedOnNewest(String modelId) {
        return Collections.unmodifiableMap(applied.getOrDefault(modelId, new TreeMap<>()));
    }

    /** Model id -> newest version, in model id order. */
    public Map<String, Long> versions() {
        return Collections.unmodifiableMap(versions);
    }

    public Set<String> modelIds() {
        return Collections.unmodifiableSet(versions.keySet());
    }

    /**
     * The oldest made-at time (epoch millis) among the models' newest versions, -1 when there are
     * none: updates for the rounds open on those versions were all sent after it.
     */
    public long openRoundsSince() {
        long oldest = -1;
        for (byte[] bytes : models.values()) {
            long t = WireCodec.GLOBAL_MODEL.decode(bytes).getCreatedAt().toEpochMilli();
            oldest = oldest < 0 ? t : Math.min(oldest, t);
        }
        return oldest;
    }

    /** "m1 at v126, m2 at v3". */
    public String describe() {
        return versions.entrySet().stream().map(e -> e.getKey() + " at v" + e.getValue()).collect(Collectors.joining(", "));
    }
}
