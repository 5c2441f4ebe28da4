package io.floe.deploy.local;

import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The exactly-once check at the end of a chaos demo: read back in full with fresh
 * {@code read_committed} consumers, the models topic holds versions 0..N of the model, each
 * exactly once, and the reports topic one CREATED or PUBLISHED report for each of them (for a
 * chunked model, a version's record is its manifest; its chunk records are not counted). A version
 * published twice, or a gap, is what a fault that broke exactly-once would leave behind.
 *
 * @param lastVersion the version the run ended at, N
 * @param models records per version on the models topic
 * @param reports CREATED or PUBLISHED reports per version on the reports topic
 */
public record PublishedOnceCheck(long lastVersion, Map<Long, Integer> models, Map<Long, Integer> reports) {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    /** Reads what the job committed for {@code modelId}. */
    public static PublishedOnceCheck read(String bootstrapServers, TopicNames topics, String modelId, long lastVersion) {
        Map<Long, Integer> models = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(bootstrapServers, topics.models(), READ_TIMEOUT)) {
            if (ours(r, modelId)) {
                models.merge(WireCodec.GLOBAL_MODEL.decode(r.value()).getVersion(), 1, Integer::sum);
            }
        }
        Map<Long, Integer> reports = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : CommittedRecords.read(bootstrapServers, topics.reports(), READ_TIMEOUT)) {
            if (ours(r, modelId)) {
                var report = WireCodec.AGGREGATION_REPORT.decode(r.value());
                if ("PUBLISHED".equals(report.getStatus()) || "CREATED".equals(report.getStatus())) {
                    reports.merge(report.getVersion(), 1, Integer::sum);
                }
            }
        }
        return new PublishedOnceCheck(lastVersion, models, reports);
    }

    /**
     * A record keyed by the model id: a dense version, a chunked version's manifest, or a report.
     * A chunked version's {@code ModelChunk}s, keyed {@code modelId#index}, are not counted: the
     * manifest is the version's one record (and the trainers and demo check its chunks' hashes).
     */
    private static boolean ours(ConsumerRecord<byte[], byte[]> r, String modelId) {
        return r.key() != null && modelId.equals(new String(r.key(), StandardCharsets.UTF_8))
                && !WireCodec.MODEL_CHUNK.hasHeaderOf(r.value());
    }

    /** What is wrong, one entry per problem; empty when every version 0..N was published once with its report. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        problems.addAll(problems("models", models));
        problems.addAll(problems("reports", reports));
        return problems;
    }

    private List<String> problems(String topic, Map<Long, Integer> counts) {
        List<String> problems = new ArrayList<>();
        for (long v = 0; v <= lastVersion; v++) {
            int n = counts.getOrDefault(v, 0);
            if (n != 1) {
                problems.add(String.format("version %d: %d records on %s", v, n, topic));
            }
        }
        counts.keySet().stream().filter(v -> v > lastVersion || v < 0)
                .forEach(v -> problems.add(String.format("version %d on %s beyond the run's last version %d", v, topic, lastVersion)));
        return problems;
    }

    /** The check's line: what was read and whether it holds. */
    public String describe() {
        List<String> problems = problems();
        return problems.isEmpty()
                ? String.format("check: versions 0..%d contiguous, each published once (read_committed: one record per version on"
                        + " the models topic, one report per version on the reports topic)", lastVersion)
                : "check FAILED: " + String.join("; ", problems);
    }
}
