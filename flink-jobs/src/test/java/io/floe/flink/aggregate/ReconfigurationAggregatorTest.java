package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a reconfiguration clears, in each mode, with the pending state restored from a snapshot
 * first: a spec that changes the mode or the drift algorithm drops the pending updates (open
 * round, partial buffer) together with the rejections pending for their report, and FedAsync's
 * version history; a spec that changes neither keeps them; the idempotency record of applied
 * updates survives every change.
 */
class ReconfigurationAggregatorTest {
    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    private long offset;

    private static ModelSpec withAggregation(AggregationConfig.Builder c) {
        return spec(3).setAggregation(c.build()).build();
    }

    private static AggregationConfig.Builder sync(int clientsPerRound) {
        return AggregationConfig.newBuilder().setClientsPerRound(clientsPerRound);
    }

    private static AggregationConfig.Builder fedbuff(int bufferSize) {
        return AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(bufferSize).setStaleness("constant");
    }

    private void send(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h, ModelSpec spec) throws Exception {
        offset++;
        h.processElement(specEvent(spec, offset), T0 + offset);
    }

    private void send(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h, String client, long base)
            throws Exception {
        offset++;
        h.processElement(updateEvent(update(client, 1, weights(offset, 0f, 0f)).setUpdateId("u-" + client + "-" + base)
                .setBaseVersion(base).build(), offset), T0 + offset);
    }

    /** alice's update pending, bob's (from version 5, the future) rejected for the report; then snapshot and restore. */
    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> pendingThenRestored(ModelSpec created)
            throws Exception {
        var before = harnesses.open(null);
        send(before, created);
        send(before, "alice", 0);
        send(before, "bob", 5);
        PublishedRecords pending = PublishedRecords.drain(before, TOPICS);
        assertThat(pending.models()).extracting(GlobalModel::getVersion).startsWith(0L);
        assertThat(pending.deadLetters()).extracting(DeadLetter::getReason).containsExactly("WRONG_BASE_VERSION");
        var snapshot = before.snapshot(1L, T0 + offset);
        harnesses.close(before);
        return harnesses.open(snapshot);
    }

    private static AggregationReport onlyReport(PublishedRecords published) {
        assertThat(published.reports()).hasSize(1);
        return published.reports().get(0);
    }

    @Test
    void syncToFedBuffDropsTheOpenRoundAndItsRejections() throws Exception {
        var h = pendingThenRestored(withAggregation(sync(3)));
        send(h, withAggregation(fedbuff(2)));
        send(h, "carol", 0);
        send(h, "dave", 0);
        AggregationReport report = onlyReport(PublishedRecords.drain(h, TOPICS));
        assertThat(report.getMode()).isEqualTo("fedbuff");
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("carol", "dave");
        assertThat(report.getRejected()).isEmpty();
    }

    @Test
    void syncSpecWithTheSameModeAndAlgorithmKeepsTheOpenRoundAndItsRejections() throws Exception {
        var h = pendingThenRestored(withAggregation(sync(3)));
        send(h, withAggregation(sync(2)));
        send(h, "carol", 0);
        AggregationReport report = onlyReport(PublishedRecords.drain(h, TOPICS));
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("alice", "carol");
        assertThat(report.getRejected()).extracting(RejectedUpdate::getClientId, RejectedUpdate::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bob", "WRONG_BASE_VERSION"));
    }

    @Test
    void syncAlgorithmChangeDropsTheOpenRoundAndItsRejections() throws Exception {
        var h = pendingThenRestored(withAggregation(sync(2)));
        send(h, withAggregation(sync(2).setAlgorithm("fedprox:mu=0.1")));
        send(h, "carol", 0);
        assertThat(PublishedRecords.drain(h, TOPICS).isEmpty()).as("alice's update was dropped: one of two seats taken").isTrue();
        send(h, "dave", 0);
        AggregationReport report = onlyReport(PublishedRecords.drain(h, TOPICS));
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("carol", "dave");
        assertThat(report.getRejected()).isEmpty();
    }

    @Test
    void fedBuffToSyncDropsTheBufferAndItsRejections() throws Exception {
        var h = pendingThenRestored(withAggregation(fedbuff(3)));
        send(h, withAggregation(sync(2)));
        send(h, "carol", 0);
        send(h, "dave", 0);
        AggregationReport report = onlyReport(PublishedRecords.drain(h, TOPICS));
        assertThat(report.getMode()).isEqualTo("sync");
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("carol", "dave");
        assertThat(report.getRejected()).isEmpty();
    }

    @Test
    void fedBuffSpecWithTheSameModeKeepsTheBufferAndItsRejections() throws Exception {
        var h = pendingThenRestored(withAggregation(fedbuff(3)));
        send(h, withAggregation(fedbuff(2)));
        send(h, "carol", 0);
        AggregationReport report = onlyReport(PublishedRecords.drain(h, TOPICS));
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("alice", "carol");
        assertThat(report.getRejected()).extracting(RejectedUpdate::getClientId).containsExactly("bob");
    }

    @Test
    void fedAsyncModeChangeDropsItsRejectionsAndVersionHistoryButNotAppliedUpdates() throws Exception {
        // alice is mixed in at once (version 1); bob's rejection waits for version 2's report
        var h = pendingThenRestored(withAggregation(AggregationConfig.newBuilder().setMode("fedasync").setAsyncMixing(0.5)));
        send(h, withAggregation(fedbuff(1)));
        send(h, "alice", 0); // the same update as before the change (same updateId): applied once, ignored
        assertThat(PublishedRecords.drain(h, TOPICS).isEmpty()).isTrue();
        send(h, "carol", 1);
        AggregationReport v2 = onlyReport(PublishedRecords.drain(h, TOPICS));
        assertThat(v2.getVersion()).isEqualTo(2L);
        assertThat(v2.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("carol");
        assertThat(v2.getRejected()).isEmpty();

        // back to fedasync: versions 0 and 1 were forgotten with the first change, so an update from 1 cannot be mixed
        send(h, withAggregation(AggregationConfig.newBuilder().setMode("fedasync").setAsyncMixing(0.5)));
        send(h, "dave", 1);
        PublishedRecords stale = PublishedRecords.drain(h, TOPICS);
        assertThat(stale.models()).isEmpty();
        assertThat(stale.deadLetters()).extracting(DeadLetter::getReason).containsExactly("STALE_UPDATE");
        send(h, "erin", 2);
        AggregationReport v3 = onlyReport(PublishedRecords.drain(h, TOPICS));
        assertThat(v3.getRejected()).extracting(RejectedUpdate::getClientId).containsExactly("dave");
    }
}
