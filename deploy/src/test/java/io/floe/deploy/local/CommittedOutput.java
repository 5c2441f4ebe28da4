package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.RejectedUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What the job committed for one model, read back in full with fresh read_committed consumers,
 * and the exactly-once checks on it:
 * <ul>
 *   <li>versions 0..N, each published once (one record per version on the models topic, one
 *       PUBLISHED report per version from 1 on), each model's provenance naming its report's
 *       accepted updates;
 *   <li>no update id accepted by two reports (nor twice by one);
 *   <li>every update id on the updates topic either aggregated (in exactly one report, by the
 *       previous point) or turned away with a reason: dead-lettered or listed as rejected.
 * </ul>
 */
final class CommittedOutput {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    final Map<Long, List<GlobalModel>> modelsByVersion;
    final Map<Long, List<AggregationReport>> publishedReportsByVersion;
    final List<AggregationReport> reports;
    final List<DeadLetter> deadLetters;
    final List<ModelUpdate> updatesOnTheWire;

    private CommittedOutput(Map<Long, List<GlobalModel>> modelsByVersion, List<AggregationReport> reports,
            List<DeadLetter> deadLetters, List<ModelUpdate> updatesOnTheWire) {
        this.modelsByVersion = modelsByVersion;
        this.reports = reports;
        this.publishedReportsByVersion = reports.stream().filter(r -> "PUBLISHED".equals(r.getStatus()))
                .collect(Collectors.groupingBy(AggregationReport::getVersion, TreeMap::new, Collectors.toList()));
        this.deadLetters = deadLetters;
        this.updatesOnTheWire = updatesOnTheWire;
    }

    static CommittedOutput read(String bootstrapServers, TopicNames topics, String modelId) {
        Map<Long, List<GlobalModel>> models = CommittedRecords.read(bootstrapServers, topics.models(), READ_TIMEOUT).stream()
                .filter(r -> r.key() != null && modelId.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(r -> WireCodec.GLOBAL_MODEL.decode(r.value()))
                .collect(Collectors.groupingBy(GlobalModel::getVersion, TreeMap::new, Collectors.toList()));
        List<AggregationReport> reports = CommittedRecords.read(bootstrapServers, topics.reports(), READ_TIMEOUT).stream()
                .map(r -> WireCodec.AGGREGATION_REPORT.decode(r.value()))
                .filter(r -> modelId.equals(r.getModelId()))
                .toList();
        List<DeadLetter> deadLetters = CommittedRecords.read(bootstrapServers, topics.deadLetter(), READ_TIMEOUT).stream()
                .map(r -> WireCodec.DEAD_LETTER.decode(r.value()))
                .toList();
        List<ModelUpdate> updates = CommittedRecords.read(bootstrapServers, topics.updates(), READ_TIMEOUT).stream()
                .map(r -> WireCodec.MODEL_UPDATE.decode(r.value()))
                .filter(u -> modelId.equals(u.getModelId()))
                .toList();
        return new CommittedOutput(models, reports, deadLetters, updates);
    }

    /**
     * Asserts the exactly-once properties (see the class comment) for versions 0..{@code lastVersion},
     * and that every update the trainers had acknowledged is on the updates topic.
     */
    void assertExactlyOnce(long lastVersion, Collection<ModelUpdate> acknowledged) {
        List<Long> expectedVersions = LongStream.rangeClosed(0, lastVersion).boxed().toList();
        assertThat(modelsByVersion.keySet()).as("versions on the models topic").containsExactlyElementsOf(expectedVersions);
        assertThat(copiesPerVersion(modelsByVersion)).as("records per version on the models topic")
                .allSatisfy((v, n) -> assertThat(n).as("records of version %d", v).isEqualTo(1));
        assertThat(publishedReportsByVersion.keySet()).as("versions with a PUBLISHED report")
                .containsExactlyElementsOf(expectedVersions.subList(1, expectedVersions.size()));
        assertThat(copiesPerVersion(publishedReportsByVersion)).as("PUBLISHED reports per version")
                .allSatisfy((v, n) -> assertThat(n).as("PUBLISHED reports of version %d", v).isEqualTo(1));
        for (long v = 1; v <= lastVersion; v++) {
            assertThat(modelsByVersion.get(v).get(0).getProvenance().getUpdateIds()).as("provenance of version %d", v)
                    .containsExactlyInAnyOrderElementsOf(acceptedIds(publishedReportsByVersion.get(v).get(0)));
        }

        List<String> accepted = reports.stream().flatMap(r -> acceptedIds(r).stream()).toList();
        assertThat(accepted).as("update ids accepted by the reports").doesNotHaveDuplicates();

        Set<String> acceptedSet = Set.copyOf(accepted);
        Map<String, String> turnedAway = turnedAwayWithReason();
        Set<String> sent = updatesOnTheWire.stream().map(ModelUpdate::getUpdateId).collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> unaccounted = sent.stream().filter(id -> !acceptedSet.contains(id) && !turnedAway.containsKey(id)).toList();
        assertThat(unaccounted).as("update ids on the updates topic neither aggregated nor turned away with a reason")
                .isEmpty();
        assertThat(sent).as("update ids on the updates topic")
                .containsAll(acknowledged.stream().map(ModelUpdate::getUpdateId).toList());
    }

    /** Update id -> reason, from the dead letters and the reports' rejected lists. */
    Map<String, String> turnedAwayWithReason() {
        Map<String, String> reasons = new TreeMap<>();
        for (DeadLetter d : deadLetters) {
            if (d.getUpdateId() != null && !d.getReason().isBlank()) {
                reasons.put(d.getUpdateId(), d.getReason());
            }
        }
        for (AggregationReport r : reports) {
            for (RejectedUpdate rej : r.getRejected()) {
                if (rej.getUpdateId() != null && !rej.getReason().isBlank()) {
                    reasons.putIfAbsent(rej.getUpdateId(), rej.getReason());
                }
            }
        }
        return reasons;
    }

    /** How many update records on the updates topic carry an id that is there more than once (resent). */
    long resentUpdates() {
        return updatesOnTheWire.size() - updatesOnTheWire.stream().map(ModelUpdate::getUpdateId).distinct().count();
    }

    private static List<String> acceptedIds(AggregationReport report) {
        return report.getAccepted().stream().map(AcceptedUpdate::getUpdateId).toList();
    }

    private static <T> Map<Long, Integer> copiesPerVersion(Map<Long, List<T>> byVersion) {
        return byVersion.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size(),
                (a, b) -> a, TreeMap::new));
    }
}
