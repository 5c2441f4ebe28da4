package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.MODEL_ID;
import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.inbound;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.validate.RejectionReason;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's metrics under the keyed harness, checked against what it published: accepted
 * updates against the reports, rejections per reason and dead letters against the dead letters,
 * versions and round durations against the models, and counters that restart at 0 after a
 * restore (metrics are not state).
 */
class AggregationMetricsTest {
    private final List<RecordedMetrics> opened = new ArrayList<>();
    private final List<OutboundRecord> published = new ArrayList<>();
    private long updateBytes;

    @AfterEach
    void closeAll() throws Exception {
        for (RecordedMetrics m : opened) {
            m.close();
        }
    }

    private RecordedMetrics metrics() {
        RecordedMetrics m = new RecordedMetrics();
        opened.add(m);
        return m;
    }

    /** Feeds {@code event} at T0 + offset, keeping what came out and the bytes of updates. */
    private void feed(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h, ModelEvent event)
            throws Exception {
        if (event.kind == ModelEvent.Kind.UPDATE) {
            updateBytes += event.origin.value.length;
        }
        h.processElement(event, event.origin.timestamp);
        published.addAll(PublishedRecords.drain(h, TOPICS).all());
    }

    private void round(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h, long base, long offset)
            throws Exception {
        for (String client : List.of("alice", "bob", "carol")) {
            feed(h, updateEvent(update(client, 2, weights(0.5f, 0.25f, -0.25f)).setBaseVersion(base)
                    .setUpdateId("u-" + client + "-" + base).build(), offset++));
        }
    }

    @Test
    void countersAndGaugesAgreeWithThePublishedReportsAndDeadLetters() throws Exception {
        // Prepare
        RecordedMetrics metrics = metrics();
        var h = metrics.open(new ModelAggregator(TOPICS), null);

        // Execute: version 0, a clean round, then a round with late, future, duplicate and undecodable updates
        feed(h, specEvent(spec(3).build(), 0));
        round(h, 0, 10);
        feed(h, updateEvent(update("alice", 2, weights(0f, 0f, 0f)).setBaseVersion(1).setUpdateId("u-alice-first").build(), 20));
        feed(h, updateEvent(update("alice", 2, weights(0f, 0f, 0f)).setBaseVersion(1).setUpdateId("u-alice-again").build(), 21));
        feed(h, updateEvent(update("dave", 2, weights(0f, 0f, 0f)).setBaseVersion(0).setUpdateId("u-dave-late").build(), 22));
        feed(h, updateEvent(update("erin", 2, weights(0f, 0f, 0f)).setBaseVersion(7).setUpdateId("u-erin-future").build(), 23));
        feed(h, new ModelEvent(MODEL_ID, ModelEvent.Kind.UPDATE, inbound(TOPICS.updates(), 24, new byte[] {1, 2, 3})));
        feed(h, updateEvent(update("bob", 2, weights(0f, 0f, 0f)).setBaseVersion(1).setUpdateId("u-bob-1").build(), 30));
        feed(h, updateEvent(update("carol", 2, weights(0f, 0f, 0f)).setBaseVersion(1).setUpdateId("u-carol-1").build(), 45));

        // Assert
        PublishedRecords out = PublishedRecords.of(published, TOPICS);
        // version 0's CREATED report accepts nothing; the round reports are the rest
        List<AggregationReport> reports = out.reports().stream().filter(r -> "PUBLISHED".equals(r.getStatus())).toList();
        List<GlobalModel> models = out.models();
        List<DeadLetter> deadLetters = out.deadLetters();
        assertThat(models).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(1).getRejected()).isNotEmpty();

        assertThat(metrics.counter(MODEL_ID, ModelMetrics.VERSIONS_PUBLISHED)).isEqualTo(models.size());
        assertThat(metrics.counter(MODEL_ID, ModelMetrics.UPDATES_ACCEPTED))
                .isEqualTo(reports.stream().mapToLong(r -> r.getAccepted().size()).sum()).isEqualTo(6);
        assertThat(metrics.counter(MODEL_ID, ModelMetrics.DEAD_LETTERS)).isEqualTo(deadLetters.size()).isEqualTo(4);
        Map<String, Long> byReason = deadLetters.stream().collect(Collectors.groupingBy(DeadLetter::getReason, Collectors.counting()));
        assertThat(byReason).containsOnlyKeys("DUPLICATE_CLIENT", "LATE_UPDATE", "WRONG_BASE_VERSION", "UNDECODABLE");
        for (RejectionReason reason : RejectionReason.values()) {
            assertThat(metrics.rejected(MODEL_ID, reason)).as(reason.name()).isEqualTo(byReason.getOrDefault(reason.name(), 0L));
        }
        assertThat(metrics.counter(MODEL_ID, ModelMetrics.UPDATE_BYTES_RECEIVED)).isEqualTo(updateBytes);

        assertThat(metrics.gauge(MODEL_ID, ModelMetrics.CURRENT_VERSION)).isEqualTo(2L);
        assertThat((Double) metrics.gauge(MODEL_ID, ModelMetrics.LAST_PARTICIPANTS)).isEqualTo(3.0);
        assertThat((Double) metrics.gauge(MODEL_ID, ModelMetrics.LAST_MEAN_STALENESS)).isEqualTo(0.0);
        assertThat((Double) metrics.gauge(MODEL_ID, ModelMetrics.LAST_PARTICIPATION_RATE)).as("no selection").isNaN();
        assertThat((Double) metrics.gauge(MODEL_ID, ModelMetrics.EPSILON_SPENT)).as("no central DP").isNaN();
        // versions at T0, T0 + 12 (third update of round 0) and T0 + 45
        assertThat(models).extracting(m -> m.getCreatedAt().toEpochMilli() - T0).containsExactly(0L, 12L, 45L);
        var durations = metrics.histogram(MODEL_ID, ModelMetrics.ROUND_DURATION_MS).getStatistics();
        assertThat(durations.size()).isEqualTo(2);
        assertThat(durations.getMin()).isEqualTo(12L);
        assertThat(durations.getMax()).isEqualTo(33L);
        assertThat(metrics.histogram(MODEL_ID, ModelMetrics.STALENESS).getCount()).isEqualTo(6);
    }

    @Test
    void updatesForUnknownModelsAreCountedInOneSharedGroup() throws Exception {
        RecordedMetrics metrics = metrics();
        var h = metrics.open(new ModelAggregator(TOPICS), null);

        feed(h, updateEvent(update("alice", 2, weights(0f, 0f, 0f)).setModelId("ghost").build(), 1));
        feed(h, updateEvent(update("alice", 2, weights(0f, 0f, 0f)).setModelId("phantom").build(), 2));

        assertThat(metrics.rejected(AggregationMetrics.UNKNOWN_MODEL, RejectionReason.UNKNOWN_MODEL)).isEqualTo(2);
        assertThat(metrics.counter(AggregationMetrics.UNKNOWN_MODEL, ModelMetrics.DEAD_LETTERS)).isEqualTo(2);
        assertThat(metrics.hasModel("ghost")).as("an invented model id registers no group of its own").isFalse();
        assertThat(metrics.hasModel("phantom")).isFalse();
        assertThat(metrics.hasModel(MODEL_ID)).isFalse();
    }

    @Test
    void epsilonSpentFollowsTheLedgerOfCentralDp() throws Exception {
        RecordedMetrics metrics = metrics();
        var h = metrics.open(new ModelAggregator(TOPICS, "a configured DP noise secret".getBytes()), null);

        feed(h, specEvent(spec(3).setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(3)
                .setDpNoiseMultiplier(3.0).setDpClipNorm(0.5).setDpDelta(1e-5).setDpTargetEpsilon(100.0).build()).build(), 0));
        round(h, 0, 10);
        round(h, 1, 20);

        List<AggregationReport> reports = PublishedRecords.of(published, TOPICS).reports().stream()
                .filter(r -> "PUBLISHED".equals(r.getStatus())).toList();
        assertThat(reports).hasSize(2);
        assertThat((Double) metrics.gauge(MODEL_ID, ModelMetrics.EPSILON_SPENT))
                .isCloseTo(reports.get(1).getPrivacy().getEpsilon(), within(1e-12));
    }

    @Test
    void countersRestartAtZeroAfterARestoreWhileTheModelGoesOn() throws Exception {
        // Prepare: version 0 and one round, then a snapshot
        RecordedMetrics before = metrics();
        var h = before.open(new ModelAggregator(TOPICS), null);
        feed(h, specEvent(spec(3).build(), 0));
        round(h, 0, 10);
        OperatorSubtaskState snapshot = h.snapshot(1L, T0 + 20);
        h.close();
        assertThat(before.counter(MODEL_ID, ModelMetrics.VERSIONS_PUBLISHED)).isEqualTo(2);

        // Execute: a restored operator with fresh metrics closes the next round
        RecordedMetrics after = metrics();
        var restored = after.open(new ModelAggregator(TOPICS), snapshot);
        published.clear();
        round(restored, 1, 30);
        restored.close();

        // Assert: the model went on to version 2, the counters count since the restore
        assertThat(PublishedRecords.of(published, TOPICS).models()).extracting(GlobalModel::getVersion).containsExactly(2L);
        assertThat(after.counter(MODEL_ID, ModelMetrics.VERSIONS_PUBLISHED)).isEqualTo(1);
        assertThat(after.counter(MODEL_ID, ModelMetrics.UPDATES_ACCEPTED)).isEqualTo(3);
        assertThat(after.gauge(MODEL_ID, ModelMetrics.CURRENT_VERSION)).isEqualTo(2L);
        assertThat(after.histogram(MODEL_ID, ModelMetrics.ROUND_DURATION_MS).getCount()).as("no previous version seen").isZero();
    }

}
