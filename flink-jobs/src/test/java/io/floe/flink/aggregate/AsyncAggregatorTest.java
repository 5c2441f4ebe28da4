package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.initialWeights;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FedAsync and FedBuff in the running operator (issue 4, item 3): a version per update with
 * FedAsync's mixing of the client's model, a version per K buffered updates with FedBuff,
 * staleness bounds, redelivery, and a buffer that survives a snapshot and restore.
 */
class AsyncAggregatorTest {
    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> openHarness(OperatorSubtaskState from)
            throws Exception {
        return harnesses.open(new ModelAggregator(TOPICS), from);
    }

    private static ModelSpec asyncSpec(AggregationConfig.Builder c) {
        return spec(10).setAggregation(c.build()).build();
    }

    private static float[] values(GlobalModel m) {
        return TensorRecords.fromRecords(m.getTensors()).flatten();
    }

    @Test
    void fedAsyncPublishesAVersionPerUpdateMixingTheClientsModel() throws Exception {
        // alpha = 0.5, polynomial a = 1. x0 = (0.5, -0.25, 0.125).
        var harness = openHarness(null);
        harness.processElement(specEvent(asyncSpec(AggregationConfig.newBuilder().setMode("fedasync").setAsyncMixing(0.5)
                .setStaleness("polynomial:a=1")), 0), T0);
        PublishedRecords.drain(harness, TOPICS);

        // alice from v0 at v0: tau 0, alpha_t 0.5: x1 = 0.5 x0 + 0.5 (x0 + (1, 2, 0.5)) = x0 + 0.5 (1, 2, 0.5) = (1, 0.75, 0.375)
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 2f, 0.5f)).build(), 1), T0 + 1);
        PublishedRecords first = PublishedRecords.drain(harness, TOPICS);
        assertThat(first.models()).extracting(GlobalModel::getVersion).containsExactly(1L);
        assertThat(values(first.models().get(0))).containsExactly(1f, 0.75f, 0.375f);

        // bob from v0 at v1: tau 1, alpha_t = 0.5 / 2 = 0.25:
        // x2 = 0.75 x1 + 0.25 (x0 + (2, 0, 0)) = 0.75 (1, 0.75, 0.375) + 0.25 (2.5, -0.25, 0.125)
        //    = (0.75 + 0.625, 0.5625 - 0.0625, 0.28125 + 0.03125) = (1.375, 0.5, 0.3125)
        harness.processElement(updateEvent(update("bob", 1, weights(2f, 0f, 0f)).build(), 2), T0 + 2);
        PublishedRecords second = PublishedRecords.drain(harness, TOPICS);
        assertCloseTo(values(second.models().get(0)), 1.375f, 0.5f, 0.3125f);
        AggregationReport report = second.reports().get(0);
        assertThat(report.getMode()).isEqualTo("fedasync");
        assertThat(report.getStaleness()).containsExactly(entry("1", 1L));
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId, AcceptedUpdate::getWeight)
                .containsExactly(tuple("bob", 0.25));

        // the same update again (a producer retry) is applied once
        harness.processElement(updateEvent(update("bob", 1, weights(2f, 0f, 0f)).build(), 3), T0 + 3);
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();
    }

    @Test
    void fedBuffAggregatesEveryKUpdatesAndReportsTheirStaleness() throws Exception {
        // K = 2, constant staleness, FedAvg with n = 1 each, eta_g = 1
        var harness = openHarness(null);
        harness.processElement(specEvent(asyncSpec(AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(2)
                .setStaleness("constant")), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).build(), 1), T0 + 1);
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();
        harness.processElement(updateEvent(update("bob", 1, weights(3f, 0f, 0f)).build(), 2), T0 + 2);
        PublishedRecords v1 = PublishedRecords.drain(harness, TOPICS);
        // x1 = x0 + mean((1,0,0), (3,0,0)) = (2.5, -0.25, 0.125)
        assertThat(values(v1.models().get(0))).containsExactly(2.5f, -0.25f, 0.125f);

        // carol, slow, still from v0 (tau 1), and alice again from v1 (tau 0): both buffered
        harness.processElement(updateEvent(update("carol", 1, weights(0f, 4f, 0f)).build(), 3), T0 + 3);
        harness.processElement(updateEvent(update("alice", 1, weights(0f, 0f, 2f)).setUpdateId("u2-alice").setBaseVersion(1L)
                .build(), 4), T0 + 4);
        PublishedRecords v2 = PublishedRecords.drain(harness, TOPICS);
        assertThat(values(v2.models().get(0))).containsExactly(2.5f, 1.75f, 1.125f);
        AggregationReport report = v2.reports().get(0);
        assertThat(report.getMode()).isEqualTo("fedbuff");
        assertThat(report.getStaleness()).containsExactly(entry("0", 1L), entry("1", 1L));
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getUpdateId).containsExactly("u-carol", "u2-alice");
    }

    @Test
    void tooStaleUpdatesAreDroppedWithAReasonAndCounted() throws Exception {
        // K = 1 (a version per update), maxStaleness 1
        var harness = openHarness(null);
        harness.processElement(specEvent(asyncSpec(AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(1)
                .setMaxStaleness(1)), 0), T0);
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).build(), 1), T0 + 1);
        harness.processElement(updateEvent(update("bob", 1, weights(1f, 0f, 0f)).setBaseVersion(1L).build(), 2), T0 + 2);
        PublishedRecords.drain(harness, TOPICS);

        // carol from v0 at v2: tau 2 > 1
        harness.processElement(updateEvent(update("carol", 1, weights(1f, 0f, 0f)).build(), 3), T0 + 3);
        PublishedRecords stale = PublishedRecords.drain(harness, TOPICS);
        assertThat(stale.deadLetters()).extracting(DeadLetter::getReason).containsExactly("STALE_UPDATE");
        assertThat(stale.models()).isEmpty();

        harness.processElement(updateEvent(update("dave", 1, weights(1f, 0f, 0f)).setBaseVersion(2L).build(), 4), T0 + 4);
        AggregationReport report = PublishedRecords.drain(harness, TOPICS).reports().get(0);
        assertThat(report.getLateUpdates()).isEqualTo(1);
        assertThat(report.getRejected()).extracting(RejectedUpdate::getClientId, RejectedUpdate::getReason)
                .containsExactly(tuple("carol", "STALE_UPDATE"));
    }

    @Test
    void aPartialBufferSurvivesSnapshotAndRestore() throws Exception {
        var before = openHarness(null);
        before.processElement(specEvent(asyncSpec(AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(2)
                .setStaleness("constant")), 0), T0);
        before.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).build(), 1), T0 + 1);
        OperatorSubtaskState snapshot = before.snapshot(1L, T0 + 1);
        harnesses.close(before);

        var restored = openHarness(snapshot);
        restored.processElement(updateEvent(update("bob", 1, weights(3f, 0f, 0f)).build(), 2), T0 + 2);
        PublishedRecords out = PublishedRecords.drain(restored, TOPICS);
        assertThat(out.models()).extracting(GlobalModel::getVersion).containsExactly(1L);
        assertThat(values(out.models().get(0))).containsExactly(2.5f, -0.25f, 0.125f);
    }

    @Test
    void fedBuffWeighsUpdatesByParticipationIntervalsAcrossASnapshotAndRestore() throws Exception {
        // K = 2, constant staleness, FedAvg with n = 1 each, participationWeighting interval (cap 100)
        var before = openHarness(null);
        before.processElement(specEvent(asyncSpec(AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(2)
                .setStaleness("constant").setParticipationWeighting("interval")), 0), T0);
        PublishedRecords.drain(before, TOPICS);

        // v0 -> v1 (V = 1): alice and bob from v0, first intervals 1 - 0 = 1: I = 1 each, H = 1, c = 1 each
        before.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).build(), 1), T0 + 1);
        before.processElement(updateEvent(update("bob", 1, weights(3f, 0f, 0f)).build(), 2), T0 + 2);
        PublishedRecords v1 = PublishedRecords.drain(before, TOPICS);
        assertThat(values(v1.models().get(0))).containsExactly(2.5f, -0.25f, 0.125f);
        assertThat(v1.reports().get(0).getParticipationWeights()).containsOnly(entry("alice", 1.0), entry("bob", 1.0));

        // v1 -> v2 (V = 2): alice from v1, interval 2 - 1 = 1, I_alice = 2/2 = 1; carol from v0, first
        // interval 2 - 0 = 2, I_carol = 2. Active: alice, bob (I 1), carol: H = 3 / (1 + 1 + 1/2) = 1.2,
        // c_alice = 1 / 1.2 = 5/6, c_carol = 2 / 1.2 = 5/3.
        // x2 = x1 + mean(5/6 (0, 0, 6), 5/3 (0, 3, 0)) = (2.5, -0.25, 0.125) + (0, 2.5, 2.5) = (2.5, 2.25, 2.625)
        before.processElement(updateEvent(update("alice", 1, weights(0f, 0f, 6f)).setUpdateId("u2-alice").setBaseVersion(1L)
                .build(), 3), T0 + 3);
        before.processElement(updateEvent(update("carol", 1, weights(0f, 3f, 0f)).build(), 4), T0 + 4);
        PublishedRecords v2 = PublishedRecords.drain(before, TOPICS);
        assertCloseTo(values(v2.models().get(0)), 2.5f, 2.25f, 2.625f);
        AggregationReport second = v2.reports().get(0);
        assertThat(second.getParticipationWeights()).containsOnlyKeys("alice", "carol");
        assertThat(second.getParticipationWeights().get("alice")).isCloseTo(5.0 / 6, within(1e-12));
        assertThat(second.getParticipationWeights().get("carol")).isCloseTo(5.0 / 3, within(1e-12));

        OperatorSubtaskState snapshot = before.snapshot(1L, T0 + 4);
        harnesses.close(before);
        var restored = openHarness(snapshot);

        // v2 -> v3 (V = 3), from the restored histories: alice from v2, interval 1, I_alice = 3/3 = 1;
        // bob from v1, interval 3 - 1 = 2, I_bob = (1 + 2) / 2 = 1.5; carol (I 2) still active:
        // H = 3 / (1 + 2/3 + 1/2) = 18/13, c_alice = 13/18, c_bob = 1.5 * 13/18 = 13/12.
        // (Histories lost in the restore would give H = 2 / (1 + 1/2) = 4/3 and c_alice = 3/4.)
        restored.processElement(updateEvent(update("alice", 1, weights(0f, 0f, 1f)).setUpdateId("u3-alice").setBaseVersion(2L)
                .build(), 5), T0 + 5);
        restored.processElement(updateEvent(update("bob", 1, weights(1f, 0f, 0f)).setUpdateId("u2-bob").setBaseVersion(1L)
                .build(), 6), T0 + 6);
        AggregationReport third = PublishedRecords.drain(restored, TOPICS).reports().get(0);
        assertThat(third.getVersion()).isEqualTo(3L);
        assertThat(third.getParticipationWeights()).containsOnlyKeys("alice", "bob");
        assertThat(third.getParticipationWeights().get("alice")).isCloseTo(13.0 / 18, within(1e-12));
        assertThat(third.getParticipationWeights().get("bob")).isCloseTo(13.0 / 12, within(1e-12));
    }

    @Test
    void aSpecThatChangesParticipationWeightingStartsTheHistoriesAfresh() throws Exception {
        // K = 1: a version per update
        var harness = openHarness(null);
        AggregationConfig.Builder weighted = AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(1)
                .setStaleness("constant").setParticipationWeighting("interval");
        harness.processElement(specEvent(asyncSpec(weighted), 0), T0);
        // V = 1: alice from v0, I_alice = 1; V = 2: bob from v0, first interval 2, I_bob = 2;
        // H = 2 / (1 + 1/2) = 4/3, c_bob = 2 / (4/3) = 1.5
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).build(), 1), T0 + 1);
        harness.processElement(updateEvent(update("bob", 1, weights(1f, 0f, 0f)).build(), 2), T0 + 2);
        // reports: version 0 (created), 1, 2
        assertThat(PublishedRecords.drain(harness, TOPICS).reports().get(2).getParticipationWeights())
                .containsExactly(entry("bob", 1.5));

        // off and on again: the histories are cleared. V = 3: carol from v2 is the only active client
        // with a history, c_carol = 1 (with alice's and bob's kept: H = 3 / 2.5 = 1.2, c_carol = 5/6)
        harness.processElement(specEvent(asyncSpec(AggregationConfig.newBuilder(weighted.build()).setParticipationWeighting("none")), 3),
                T0 + 3);
        harness.processElement(specEvent(asyncSpec(weighted), 4), T0 + 4);
        harness.processElement(updateEvent(update("carol", 1, weights(1f, 0f, 0f)).setBaseVersion(2L).build(), 5), T0 + 5);
        AggregationReport report = PublishedRecords.drain(harness, TOPICS).reports().get(0);
        assertThat(report.getVersion()).isEqualTo(3L);
        assertThat(report.getParticipationWeights()).containsExactly(entry("carol", 1.0));
    }

    @Test
    void switchingASyncModelToFedBuffDropsTheOpenRound() throws Exception {
        var harness = openHarness(null);
        harness.processElement(specEvent(spec(3).build(), 0), T0);
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).build(), 1), T0 + 1);
        harness.processElement(specEvent(asyncSpec(AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(1)), 2), T0 + 2);
        PublishedRecords.drain(harness, TOPICS);
        harness.processElement(updateEvent(update("bob", 1, weights(2f, 0f, 0f)).build(), 3), T0 + 3);
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        ModelWeights expected = initialWeights().plusScaled(weights(2f, 0f, 0f), 1f);
        assertThat(TensorRecords.fromRecords(out.models().get(0).getTensors())).isEqualTo(expected);
    }

    /** The model's values, each within 1e-6 of the hand-computed one. */
    private static void assertCloseTo(float[] actual, float... expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("value %d", i).isCloseTo(expected[i], within(1e-6f));
        }
    }
}
