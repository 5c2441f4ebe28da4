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

import io.floe.core.round.ClientSelection;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client availability and selection (issue 4, item 1) under the keyed operator harness: heartbeats
 * make clients available, each sync version carries the deterministic selection of the available
 * clients, unselected clients' updates are NOT_SELECTED, a round on a selection closes at its size,
 * and reports give selectedClients and participationRate. Defaults leave every selection null.
 */
class ClientSelectionAggregatorTest {
    private static final List<String> SIX = List.of("site-0", "site-1", "site-2", "site-3", "site-4", "site-5");
    /**
     * u(42, 0, site-i) = 0.7213, 0.9230, 0.8291, 0.4473, 0.2610, 0.3612 (ClientSelection.unitHash):
     * below q = 0.5 are sites 3, 4 and 5.
     */
    private static final List<String> VERSION_0_AT_HALF = List.of("site-3", "site-4", "site-5");
    /** u(42, 1, site-i) = 0.9803, 0.6652, 0.0954, 0.9142, 0.4856, 0.0621: sites 2, 4 and 5. */
    private static final List<String> VERSION_1_AT_HALF = List.of("site-2", "site-4", "site-5");
    private static final long TIMEOUT = 10_000L;

    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    @Test
    void hashValuesInTheseTestsAreTheOnesClientSelectionDraws() {
        assertThat(ClientSelection.select(SIX, 42, 0, 0.5, 2, 0).clients()).isEqualTo(VERSION_0_AT_HALF);
        assertThat(ClientSelection.select(SIX, 42, 1, 0.5, 2, 0).clients()).isEqualTo(VERSION_1_AT_HALF);
    }

    @Test
    void versionCarriesTheSampleOfAvailableClientsAndItsRoundClosesAtTheSelectionSize() throws Exception {
        // Prepare: six clients announce themselves, then a model with 5 per round samples half of them
        var harness = openHarness(null);
        heartbeats(harness, SIX, T0);
        harness.processElement(specEvent(selectingSpec(5, 0.5, 2, 0), 10), T0 + 10);

        // Assert: version 0 asks sites 3, 4 and 5
        GlobalModel v0 = PublishedRecords.drain(harness, TOPICS).models().get(0);
        assertThat(v0.getSelection()).isEqualTo(VERSION_0_AT_HALF);

        // Execute: site-0 was not asked
        harness.processElement(updateEvent(update("site-0", 1, weights(9f, 9f, 9f)).build(), 11), T0 + 11);

        // Assert: rejected with NOT_SELECTED, nothing published
        PublishedRecords rejected = PublishedRecords.drain(harness, TOPICS);
        assertThat(rejected.models()).isEmpty();
        assertThat(rejected.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("NOT_SELECTED");
            assertThat(d.getClientId()).isEqualTo("site-0");
        });

        // Execute: the three selected clients respond (fewer than clientsPerRound 5)
        harness.processElement(updateEvent(update("site-3", 1, weights(1f, 0f, 0f)).build(), 12), T0 + 12);
        harness.processElement(updateEvent(update("site-4", 1, weights(1f, 0f, 0f)).build(), 13), T0 + 13);
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();
        harness.processElement(updateEvent(update("site-5", 1, weights(1f, 0f, 0f)).build(), 14), T0 + 14);

        // Assert: the round closed at |selection| = 3; version 1 carries its own selection
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        GlobalModel v1 = out.models().get(0);
        assertThat(v1.getVersion()).isEqualTo(1L);
        assertThat(v1.getSelection()).isEqualTo(VERSION_1_AT_HALF);
        AggregationReport report = out.reports().get(0);
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("site-3", "site-4", "site-5");
        assertThat(report.getRejected()).extracting(RejectedUpdate::getClientId, RejectedUpdate::getReason)
                .containsExactly(org.assertj.core.api.Assertions.tuple("site-0", "NOT_SELECTED"));
        assertThat(report.getSelectedClients()).isEqualTo(3);
        assertThat(report.getParticipationRate()).isEqualTo(1.0);
        assertThat(report.getNote()).contains("selection for version 1: 3 of 6 available clients");
    }

    @Test
    void participationRateCountsTheSelectedClientsThatDidNotRespond() throws Exception {
        // Prepare: the same selection of 3, with a 1 s deadline and minFitClients 2
        var harness = openHarness(null);
        harness.setProcessingTime(0);
        heartbeats(harness, SIX, T0);
        ModelSpec spec = selectingSpec(5, 0.5, 2, 0);
        spec.getAggregation().setRoundDeadlineMs(1_000L);
        harness.processElement(specEvent(spec, 10), T0 + 10);
        harness.processElement(updateEvent(update("site-3", 1, weights(1f, 0f, 0f)).build(), 12), T0 + 12);
        harness.processElement(updateEvent(update("site-4", 1, weights(1f, 0f, 0f)).build(), 13), T0 + 13);
        PublishedRecords.drain(harness, TOPICS);

        // Execute: the deadline passes with 2 of the 3 selected
        harness.setProcessingTime(1_000L);

        // Assert
        AggregationReport report = PublishedRecords.drain(harness, TOPICS).reports().get(0);
        assertThat(report.getStatus()).isEqualTo("PUBLISHED");
        assertThat(report.getSelectedClients()).isEqualTo(3);
        assertThat(report.getParticipationRate()).isEqualTo(2.0 / 3.0);
    }

    @Test
    void clientsWhoseLastHeartbeatIsOlderThanTheTimeoutAreNotAvailable() throws Exception {
        // Prepare: sites 0-2 last seen at T0, sites 3-5 at T0 + 15 s; q = 1 with a minimum selects all available
        var harness = openHarness(null);
        heartbeats(harness, SIX.subList(0, 3), T0);
        heartbeats(harness, SIX.subList(3, 6), T0 + 15_000);

        // Execute: the model is created at T0 + 20 s (timeout 10 s)
        harness.processElement(specEvent(selectingSpec(5, 1.0, 1, 2), 10), T0 + 20_000);

        // Assert
        assertThat(PublishedRecords.drain(harness, TOPICS).models().get(0).getSelection())
                .containsExactly("site-3", "site-4", "site-5");
    }

    @Test
    void fewerAvailableThanMinAvailableClientsAsksEveryClientAndTheReportSaysSo() throws Exception {
        // Prepare: two clients, a minimum of three
        var harness = openHarness(null);
        heartbeats(harness, SIX.subList(0, 2), T0);
        harness.processElement(specEvent(selectingSpec(2, 0.5, 1, 3), 10), T0 + 10);
        assertThat(PublishedRecords.drain(harness, TOPICS).models().get(0).getSelection()).isNull();

        // Execute: a client that sent no heartbeat may train on a version without selection
        harness.processElement(updateEvent(update("site-9", 1, weights(1f, 0f, 0f)).build(), 11), T0 + 11);
        harness.processElement(updateEvent(update("site-0", 1, weights(1f, 0f, 0f)).build(), 12), T0 + 12);

        // Assert
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models().get(0).getSelection()).isNull();
        AggregationReport report = out.reports().get(0);
        assertThat(report.getAccepted()).hasSize(2);
        assertThat(report.getSelectedClients()).isEqualTo(-1);
        assertThat(report.getParticipationRate()).isEqualTo(-1.0);
        assertThat(report.getNote()).contains("2 clients available (minAvailableClients 3), so every client is asked");
    }

    @Test
    void defaultsLeaveEverySelectionNullWhateverTheHeartbeats() throws Exception {
        // Prepare
        var harness = openHarness(null);
        heartbeats(harness, SIX, T0);

        // Execute
        harness.processElement(specEvent(spec(2).build(), 10), T0 + 10);
        harness.processElement(updateEvent(update("site-0", 1, weights(1f, 0f, 0f)).build(), 11), T0 + 11);
        harness.processElement(updateEvent(update("site-9", 1, weights(1f, 0f, 0f)).build(), 12), T0 + 12);

        // Assert
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models()).extracting(GlobalModel::getSelection).containsExactly(null, null);
        assertThat(out.reports()).extracting(AggregationReport::getVersion).containsExactly(0L, 1L);
        assertThat(out.reports().get(1)).satisfies(r -> {
            assertThat(r.getSelectedClients()).isEqualTo(-1);
            assertThat(r.getParticipationRate()).isEqualTo(-1.0);
            assertThat(r.getNote()).doesNotContain("selection");
        });
    }

    @Test
    void heartbeatsSurviveASnapshotAndRestore() throws Exception {
        // Prepare
        var first = openHarness(null);
        heartbeats(first, SIX, T0);
        OperatorSubtaskState snapshot = first.snapshot(1L, T0 + 6);

        // Execute
        var restored = openHarness(snapshot);
        restored.processElement(specEvent(selectingSpec(5, 0.5, 2, 0), 10), T0 + 10);

        // Assert
        assertThat(PublishedRecords.drain(restored, TOPICS).models().get(0).getSelection()).isEqualTo(VERSION_0_AT_HALF);
    }

    @Test
    void asyncModesPublishNoSelection() throws Exception {
        // Prepare
        var harness = openHarness(null);
        heartbeats(harness, SIX, T0);
        ModelSpec spec = selectingSpec(5, 0.5, 2, 0);
        spec.getAggregation().setMode("fedasync");

        // Execute
        harness.processElement(specEvent(spec, 10), T0 + 10);
        harness.processElement(updateEvent(update("site-0", 1, weights(1f, 0f, 0f)).build(), 11), T0 + 11);

        // Assert: site-0 (outside the sync sample) is mixed in
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models()).extracting(GlobalModel::getSelection).containsExactly(null, null);
        assertThat(out.deadLetters()).extracting(DeadLetter::getReason).isEmpty();
    }

    private static ModelSpec selectingSpec(int clientsPerRound, double fractionFit, int minFitClients, int minAvailable) {
        ModelSpec spec = spec(clientsPerRound).build();
        AggregationConfig config = spec.getAggregation();
        config.setFractionFit(fractionFit);
        config.setMinFitClients(minFitClients);
        config.setMinAvailableClients(minAvailable);
        config.setClientTimeoutMs(TIMEOUT);
        return spec;
    }

    private static void heartbeats(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> harness,
            List<String> clients, long at) throws Exception {
        for (String c : clients) {
            byte[] value = WireCodec.CLIENT_HEARTBEAT.encode(ClientHeartbeat.newBuilder()
                    .setClientId(c).setModelId(MODEL_ID).setSentAt(Instant.ofEpochMilli(at)).setNumExamples(10).build());
            harness.processElement(new ModelEvent(MODEL_ID, ModelEvent.Kind.HEARTBEAT,
                    inbound(TOPICS.clients(), 0, value)), at);
        }
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).as("heartbeats publish nothing").isTrue();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> openHarness(
            OperatorSubtaskState restoreFrom) throws Exception {
        return harnesses.open(new ModelAggregator(TOPICS, new byte[32]), restoreFrom);
    }
}
