package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Round deadlines (issue 4, item 2) under the keyed operator harness, driven by its processing
 * time: a round closes at its deadline with minFitClients accepted updates, extends and reports
 * below that, keeps a pending deadline across a snapshot and restore, and with roundDeadlineMs = 0
 * behaves as before (no timers).
 */
class RoundDeadlineAggregatorTest {

    private static final ModelUpdate ALICE = update("alice", 1, weights(1f, 2f, 0.5f)).build();
    private static final ModelUpdate BOB = update("bob", 2, weights(-1f, 0.5f, 0.25f)).build();
    private static final ModelUpdate CAROL = update("carol", 1, weights(0f, -1f, -0.5f)).build();

    /** Processing time at which the spec arrives, so version 0's round opens then. */
    private static final long OPENED = 10_000L;
    private static final long TIMEOUT = 1_000L;

    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    @Test
    void roundClosesAtItsDeadlineWithMinFitClientsOfClientsPerRound() throws Exception {
        // Prepare: 3 per round, deadline 1 s, at least 2
        var harness = openHarness(null);
        harness.setProcessingTime(OPENED);
        harness.processElement(specEvent(deadlineSpec(3, TIMEOUT, 2), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        harness.setProcessingTime(OPENED + 100);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        harness.setProcessingTime(OPENED + 200);
        harness.processElement(updateEvent(BOB, 2), T0 + 2);

        // Execute: just before the deadline
        harness.setProcessingTime(OPENED + TIMEOUT - 1);

        // Assert: still open
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();

        // Execute: the deadline
        harness.setProcessingTime(OPENED + TIMEOUT);

        // Assert: version 1 from alice and bob, created at the deadline
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.all()).extracting(r -> r.topic).containsExactly(TOPICS.models(), TOPICS.reports());
        GlobalModel v1 = out.models().get(0);
        assertThat(v1.getVersion()).isEqualTo(1L);
        assertThat(v1.getProvenance().getUpdateIds()).containsExactly("u-alice", "u-bob");
        assertThat(v1.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(OPENED + TIMEOUT));
        AggregationReport report = out.reports().get(0);
        assertThat(report.getStatus()).isEqualTo("PUBLISHED");
        assertThat(report.getBaseVersion()).isZero();
        assertThat(report.getAccepted())
                .extracting(AcceptedUpdate::getClientId, AcceptedUpdate::getWeight)
                .containsExactly(tuple("alice", 1.0 / 3.0), tuple("bob", 2.0 / 3.0));
        assertThat(report.getNote()).contains("deadline").contains("2 accepted of clientsPerRound 3");

        // Execute: carol is late for the closed round
        harness.processElement(updateEvent(CAROL, 3), T0 + 3);

        // Assert: dropped with a reason, as before deadlines
        assertThat(PublishedRecords.drain(harness, TOPICS).deadLetters()).extracting(DeadLetter::getReason)
                .containsExactly("LATE_UPDATE");
    }

    @Test
    void belowMinFitClientsTheDeadlineExtendsWithAReportAndTheRoundClosesAtTheExtendedDeadline() throws Exception {
        // Prepare
        var harness = openHarness(null);
        harness.setProcessingTime(OPENED);
        harness.processElement(specEvent(deadlineSpec(3, TIMEOUT, 2), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        harness.setProcessingTime(OPENED + 100);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);

        // Execute: the deadline with 1 of 2
        harness.setProcessingTime(OPENED + TIMEOUT);

        // Assert: an EXTENDED report and no model
        PublishedRecords extendedOut = PublishedRecords.drain(harness, TOPICS);
        assertThat(extendedOut.models()).isEmpty();
        assertThat(extendedOut.reports()).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo("EXTENDED");
            assertThat(r.getBaseVersion()).isZero();
            assertThat(r.getVersion()).isEqualTo(1L);
            assertThat(r.getAccepted()).isEmpty();
            assertThat(r.getNote()).contains("1 of minFitClients 2")
                    .contains("extended to " + Instant.ofEpochMilli(OPENED + 2 * TIMEOUT));
        });

        // Execute: bob arrives during the extension
        harness.setProcessingTime(OPENED + TIMEOUT + 500);
        harness.processElement(updateEvent(BOB, 2), T0 + 2);
        harness.setProcessingTime(OPENED + 2 * TIMEOUT - 1);

        // Assert: the round waits for its extended deadline
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();

        // Execute
        harness.setProcessingTime(OPENED + 2 * TIMEOUT);

        // Assert
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models()).singleElement().satisfies(m -> {
            assertThat(m.getVersion()).isEqualTo(1L);
            assertThat(m.getProvenance().getUpdateIds()).containsExactly("u-alice", "u-bob");
        });
        assertThat(out.reports()).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo("PUBLISHED");
            assertThat(r.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("alice", "bob");
        });
    }

    @Test
    void repeatedExtensionsBackOffAndTheCountResetsWithTheNextRound() throws Exception {
        // Prepare: nobody responds
        var harness = openHarness(null);
        harness.setProcessingTime(OPENED);
        harness.processElement(specEvent(deadlineSpec(3, TIMEOUT, 2), 0), T0);
        PublishedRecords.drain(harness, TOPICS);

        // Execute / Assert: extensions of 1, 2 and 4 timeouts, one EXTENDED report each
        long[] firesAt = {OPENED + TIMEOUT, OPENED + 2 * TIMEOUT, OPENED + 4 * TIMEOUT, OPENED + 8 * TIMEOUT};
        for (int i = 0; i < firesAt.length; i++) {
            harness.setProcessingTime(firesAt[i] - 1);
            assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).as("before deadline %d", i).isTrue();
            harness.setProcessingTime(firesAt[i]);
            long next = i + 1 < firesAt.length ? firesAt[i + 1] : OPENED + 16 * TIMEOUT;
            assertThat(PublishedRecords.drain(harness, TOPICS).reports()).singleElement()
                    .satisfies(r -> assertThat(r.getNote()).contains("extended to " + Instant.ofEpochMilli(next)));
        }

        // Execute: the round closes at its deadline (alice and bob arrive), the next one starts afresh
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        harness.processElement(updateEvent(BOB, 2), T0 + 2);
        harness.setProcessingTime(OPENED + 16 * TIMEOUT);
        assertThat(PublishedRecords.drain(harness, TOPICS).models()).hasSize(1);
        harness.setProcessingTime(OPENED + 17 * TIMEOUT);

        // Assert: the first extension of the new round is one timeout again
        assertThat(PublishedRecords.drain(harness, TOPICS).reports()).singleElement()
                .satisfies(r -> assertThat(r.getNote()).contains("extended to " + Instant.ofEpochMilli(OPENED + 18 * TIMEOUT)));
    }

    @Test
    void pendingDeadlineSurvivesSnapshotAndRestore() throws Exception {
        // Prepare: two updates, then a checkpoint while the deadline is pending
        var beforeFailure = openHarness(null);
        beforeFailure.setProcessingTime(OPENED);
        beforeFailure.processElement(specEvent(deadlineSpec(3, TIMEOUT, 2), 0), T0);
        beforeFailure.setProcessingTime(OPENED + 100);
        beforeFailure.processElement(updateEvent(ALICE, 1), T0 + 1);
        beforeFailure.processElement(updateEvent(BOB, 2), T0 + 2);
        OperatorSubtaskState snapshot = beforeFailure.snapshot(1L, T0 + 2);
        harnesses.close(beforeFailure);

        // Execute: restore, then time passes the deadline
        var restored = openHarness(snapshot);
        restored.setProcessingTime(OPENED + 500);
        assertThat(PublishedRecords.drain(restored, TOPICS).isEmpty()).isTrue();
        restored.setProcessingTime(OPENED + TIMEOUT + 5_000);

        // Assert: the round closes with the updates from before the snapshot
        PublishedRecords out = PublishedRecords.drain(restored, TOPICS);
        assertThat(out.models()).singleElement().satisfies(m -> {
            assertThat(m.getVersion()).isEqualTo(1L);
            assertThat(m.getProvenance().getUpdateIds()).containsExactly("u-alice", "u-bob");
        });
        assertThat(out.reports()).singleElement().satisfies(r ->
                assertThat(r.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("alice", "bob"));
    }

    @Test
    void roundClosedAtClientsPerRoundIgnoresItsOldDeadlineAndTheNextRoundGetsItsOwn() throws Exception {
        // Prepare
        var harness = openHarness(null);
        harness.setProcessingTime(OPENED);
        harness.processElement(specEvent(deadlineSpec(2, TIMEOUT, 1), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        harness.setProcessingTime(OPENED + 400);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        harness.processElement(updateEvent(BOB, 2), T0 + 2);
        PublishedRecords closedAtCount = PublishedRecords.drain(harness, TOPICS);

        // Execute: version 0's deadline passes
        harness.setProcessingTime(OPENED + TIMEOUT);

        // Assert: closed at the count, nothing at the old deadline, one timer (version 1's)
        assertThat(closedAtCount.models()).extracting(GlobalModel::getVersion).containsExactly(1L);
        assertThat(closedAtCount.reports().get(0).getNote()).doesNotContain("deadline");
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        // Execute: version 1's deadline (opened at OPENED + 400) with nobody
        harness.setProcessingTime(OPENED + 400 + TIMEOUT);

        // Assert
        assertThat(PublishedRecords.drain(harness, TOPICS).reports()).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo("EXTENDED");
            assertThat(r.getBaseVersion()).isEqualTo(1L);
            assertThat(r.getNote()).contains("0 of minFitClients 1");
        });
    }

    @Test
    void specThatTurnsDeadlinesOffCancelsThePendingOne() throws Exception {
        // Prepare
        var harness = openHarness(null);
        harness.setProcessingTime(OPENED);
        harness.processElement(specEvent(deadlineSpec(3, TIMEOUT, 1), 0), T0);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);

        // Execute
        harness.processElement(specEvent(deadlineSpec(3, 0, 1), 2), T0 + 2);
        harness.setProcessingTime(OPENED + 10 * TIMEOUT);

        // Assert
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models()).extracting(GlobalModel::getVersion).containsExactly(0L);
        assertThat(out.reports()).as("only version 0's").extracting(AggregationReport::getStatus).containsExactly("CREATED");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void zeroDeadlineKeepsTodaysBehaviourWithoutTimers() throws Exception {
        // Prepare: the defaults (roundDeadlineMs = 0)
        var harness = openHarness(null);
        harness.setProcessingTime(OPENED);
        harness.processElement(specEvent(spec(3).build(), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        harness.processElement(updateEvent(BOB, 2), T0 + 2);

        // Execute: a long time passes
        harness.setProcessingTime(OPENED + 1_000_000_000L);

        // Assert: no timers, the round waits
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();

        // Execute: the third response
        harness.processElement(updateEvent(CAROL, 3), T0 + 3);

        // Assert: closes at the count, as before
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models()).extracting(GlobalModel::getVersion).containsExactly(1L);
        assertThat(out.reports()).singleElement().satisfies(r -> {
            assertThat(r.getStatus()).isEqualTo("PUBLISHED");
            assertThat(r.getAccepted()).hasSize(3);
        });
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void specWithMinFitAboveClientsPerRoundIsDeadLettered() throws Exception {
        // Prepare
        var harness = openHarness(null);

        // Execute
        harness.processElement(specEvent(deadlineSpec(2, TIMEOUT, 3), 0), T0);

        // Assert
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models()).isEmpty();
        assertThat(out.deadLetters()).extracting(DeadLetter::getReason).containsExactly("INVALID_SPEC");
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    private static ModelSpec deadlineSpec(int clientsPerRound, long deadlineMs, int minFitClients) {
        return spec(clientsPerRound)
                .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clientsPerRound)
                        .setRoundDeadlineMs(deadlineMs).setMinFitClients(minFitClients).build())
                .build();
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> openHarness(
            OperatorSubtaskState restoreFrom) throws Exception {
        return harnesses.open(new ModelAggregator(TOPICS), restoreFrom);
    }
}
