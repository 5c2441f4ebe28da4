package io.floe.deploy.local;

import io.floe.core.chunk.ChunkedModelAssembly;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches what the job publishes for one model, as any downstream system would: the models and
 * reports topics, read_committed, from the beginning. Pairs each version with its report.
 *
 * <p>A chunked model's version (issue 12) is a manifest keyed by the model id and one
 * {@code ModelChunk} per chunk keyed {@code modelId#index}; it is handed out once all of them are
 * in and match the manifest, as the manifest with its tensors filled in, so the demo evaluates and
 * digests it as it does a dense version. Every version is assembled (not only the newest, as a
 * trainer's follower does), each by its own {@link ChunkedModelAssembly}.
 */
public final class RoundObserver implements AutoCloseable {
    /** A published version and the report that announced it (version 0's: status CREATED; null from a job older than that report). */
    public record PublishedVersion(GlobalModel model, AggregationReport report) {
    }

    private final String modelId;
    private final TopicNames topics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<Long, GlobalModel> models = new TreeMap<>();
    private final Map<Long, AggregationReport> reports = new HashMap<>();
    /** Chunked versions not complete yet, one assembly each: their chunks and manifest come from several partitions in any order. */
    private final TreeMap<Long, ChunkedModelAssembly> assemblies = new TreeMap<>();
    private final String chunkKeyPrefix;
    private long nextToEmit;
    private AggregationReport exhaustedReport;

    public RoundObserver(String bootstrapServers, TopicNames topics, String modelId) {
        this.modelId = modelId;
        this.chunkKeyPrefix = modelId + "#";
        this.topics = topics;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : List.of(topics.models(), topics.reports())) {
            consumer.partitionsFor(t, Duration.ofSeconds(30)).forEach(pi -> tps.add(new TopicPartition(t, pi.partition())));
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
    }

    /**
     * Polls for up to {@code timeout} and returns the versions that became complete (model plus
     * report, or version 0), in order, each once.
     */
    public List<PublishedVersion> poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            if (r.key() == null) {
                continue;
            }
            String key = new String(r.key(), StandardCharsets.UTF_8);
            boolean modelsTopic = r.topic().equals(topics.models());
            boolean chunk = modelsTopic && key.startsWith(chunkKeyPrefix) && WireCodec.MODEL_CHUNK.hasHeaderOf(r.value());
            if (!chunk && !modelId.equals(key)) {
                continue;
            }
            try {
                if (chunk) {
                    ModelChunk c = WireCodec.MODEL_CHUNK.decode(r.value());
                    if (c.getVersion() >= nextToEmit) {
                        assemblyOf(c.getVersion()).offer(c);
                        assembled(c.getVersion());
                    }
                } else if (modelsTopic) {
                    GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                    if (m.getChunks() == null) {
                        models.put(m.getVersion(), m);
                    } else if (m.getVersion() >= nextToEmit) {
                        assemblyOf(m.getVersion()).offer(m);
                        assembled(m.getVersion());
                    }
                } else {
                    AggregationReport rep = WireCodec.AGGREGATION_REPORT.decode(r.value());
                    if (rep.getPrivacy() != null && rep.getPrivacy().getExhausted()) {
                        exhaustedReport = rep;
                    } else {
                        reports.put(rep.getVersion(), rep);
                    }
                }
            } catch (MalformedRecordException e) {
                // not ours to judge; the job only publishes decodable records
            }
        }
        List<PublishedVersion> out = new ArrayList<>();
        while (models.containsKey(nextToEmit) && (nextToEmit == 0 || reports.containsKey(nextToEmit))) {
            out.add(new PublishedVersion(models.remove(nextToEmit), reports.remove(nextToEmit)));
            nextToEmit++;
        }
        assemblies.headMap(nextToEmit).clear();
        return out;
    }

    private ChunkedModelAssembly assemblyOf(long version) {
        return assemblies.computeIfAbsent(version, v -> new ChunkedModelAssembly(modelId));
    }

    /** Moves a chunked version whose manifest and chunks are all in, and match, to the complete ones. */
    private void assembled(long version) {
        ChunkedModelAssembly a = assemblies.get(version);
        a.complete().ifPresent(m -> {
            models.put(version, m);
            assemblies.remove(version);
        });
    }

    /** The report that said the model's privacy budget is spent (no further versions will come), or null. */
    public AggregationReport exhaustedReport() {
        return exhaustedReport;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
