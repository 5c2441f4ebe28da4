package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.PublishedRecords.bytes;
import static io.floe.flink.aggregate.TinyLinearModel.MODEL_ID;
import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.initialWeights;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.RejectedUpdate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-model server under Flink's keyed operator harness: version 0 from a spec, a round that
 * closes at exactly clientsPerRound accepted updates, FedAvg computed by hand, state that
 * survives a snapshot and restore, and every rejection as a dead letter that leaves the round
 * where it was.
 */
class ModelAggregatorTest {

    // Three clients' deltas from version 0 (W = [0.5, -0.25], b = [0.125]), n = 1 + 2 + 1 = 4.
    private static final ModelUpdate ALICE = update("alice", 1, weights(1f, 2f, 0.5f))
            .setMetrics(Map.of("loss", 0.5)).build();
    private static final ModelUpdate BOB = update("bob", 2, weights(-1f, 0.5f, 0.25f))
            .setMetrics(Map.of("loss", 0.25)).build();
    private static final ModelUpdate CAROL = update("carol", 1, weights(0f, -1f, -0.5f))
            .setMetrics(Map.of("loss", 1.0)).build();

    /**
     * w1 = w0 + (1/4) Δ_alice + (2/4) Δ_bob + (1/4) Δ_carol:
     * W[0] = 0.5   + 0.25 - 0.5   + 0     = 0.25
     * W[1] = -0.25 + 0.5  + 0.25  - 0.25  = 0.25
     * b    = 0.125 + 0.125 + 0.125 - 0.125 = 0.25
     * All terms are dyadic, so float arithmetic gives these values exactly.
     */
    private static final ModelWeights W1_BY_HAND = weights(0.25f, 0.25f, 0.25f);

    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    @Test
    void specPublishesVersionZeroWithItsInitialTensors() throws Exception {
        // Prepare
        var harness = openHarness(null);

        // Execute
        harness.processElement(specEvent(spec(3).build(), 0), T0);

        // Assert
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.all()).extracting(r -> r.topic).containsExactly(TOPICS.models(), TOPICS.reports());
        assertThat(out.all()).allSatisfy(r -> assertThat(new String(r.key, StandardCharsets.UTF_8)).isEqualTo(MODEL_ID));
        GlobalModel v0 = out.models().get(0);
        assertThat(v0.getVersion()).isZero();
        assertThat(v0.getModelId()).isEqualTo(MODEL_ID);
        assertThat(v0.getArchitecture()).isEqualTo(TinyLinearModel.ARCHITECTURE);
        assertThat(v0.getCreatedAt().toEpochMilli()).isEqualTo(T0);
        assertThat(TensorRecords.fromRecords(v0.getTensors())).isEqualTo(initialWeights());
        assertThat(v0.getProvenance().getParentVersion()).isEqualTo(-1L);
        assertThat(v0.getProvenance().getUpdateIds()).isEmpty();
        assertThat(v0.getProvenance().getSeed()).isEqualTo(42L);
    }

    @Test
    void roundClosesAtClientsPerRoundWithTheExampleWeightedMeanOfTheDeltas() throws Exception {
        // Prepare
        var harness = openHarness(null);
        harness.processElement(specEvent(spec(3).build(), 0), T0);
        PublishedRecords.drain(harness, TOPICS);

        // Execute: two of three
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        harness.processElement(updateEvent(BOB, 2), T0 + 2);

        // Assert: still open
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();

        // Execute: the third
        harness.processElement(updateEvent(CAROL, 3), T0 + 3);

        // Assert: one model, one report
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.all()).extracting(r -> r.topic).containsExactly(TOPICS.models(), TOPICS.reports());
        GlobalModel v1 = out.models().get(0);
        assertThat(v1.getVersion()).isEqualTo(1L);
        assertThat(TensorRecords.fromRecords(v1.getTensors())).isEqualTo(W1_BY_HAND);
        assertThat(v1.getProvenance().getParentVersion()).isZero();
        assertThat(v1.getProvenance().getUpdateIds()).containsExactly("u-alice", "u-bob", "u-carol");
        assertThat(v1.getCreatedAt().toEpochMilli()).isEqualTo(T0 + 3);

        AggregationReport report = out.reports().get(0);
        assertThat(report.getVersion()).isEqualTo(1L);
        assertThat(report.getBaseVersion()).isZero();
        assertThat(report.getRule()).isEqualTo("fedavg");
        assertThat(report.getAccepted())
                .extracting(AcceptedUpdate::getUpdateId, AcceptedUpdate::getClientId, AcceptedUpdate::getNumExamples,
                        AcceptedUpdate::getWeight)
                .containsExactly(
                        tuple("u-alice", "alice", 1L, 0.25),
                        tuple("u-bob", "bob", 2L, 0.5),
                        tuple("u-carol", "carol", 1L, 0.25));
        assertThat(report.getRejected()).isEmpty();
        // loss: 0.25 * 0.5 + 0.5 * 0.25 + 0.25 * 1.0
        assertThat(report.getClientMetrics()).containsExactlyEntriesOf(Map.of("loss", 0.5));
    }

    @Test
    void restoredOperatorPublishesTheSameModelAsAnUninterruptedRun() throws Exception {
        // Prepare: the uninterrupted run
        var uninterrupted = openHarness(null);
        uninterrupted.processElement(specEvent(spec(3).build(), 0), T0);
        PublishedRecords.drain(uninterrupted, TOPICS);
        uninterrupted.processElement(updateEvent(ALICE, 1), T0 + 1);
        uninterrupted.processElement(updateEvent(BOB, 2), T0 + 2);
        uninterrupted.processElement(updateEvent(CAROL, 3), T0 + 3);
        PublishedRecords expected = PublishedRecords.drain(uninterrupted, TOPICS);

        // Prepare: the same records with a checkpoint after two of three updates
        var beforeFailure = openHarness(null);
        beforeFailure.processElement(specEvent(spec(3).build(), 0), T0);
        beforeFailure.processElement(updateEvent(ALICE, 1), T0 + 1);
        beforeFailure.processElement(updateEvent(BOB, 2), T0 + 2);
        OperatorSubtaskState snapshot = beforeFailure.snapshot(1L, T0 + 2);
        harnesses.close(beforeFailure);

        // Execute
        var restored = openHarness(snapshot);
        restored.processElement(updateEvent(CAROL, 3), T0 + 3);

        // Assert
        PublishedRecords actual = PublishedRecords.drain(restored, TOPICS);
        assertThat(actual.all()).extracting(r -> r.topic).containsExactly(TOPICS.models(), TOPICS.reports());
        assertThat(expected.models()).singleElement().satisfies(m -> assertThat(m.getVersion()).isEqualTo(1L));
        assertThat(tensorBytes(actual.models().get(0))).isEqualTo(tensorBytes(expected.models().get(0)));
        assertThat(actual.on(TOPICS.models()).get(0).value).isEqualTo(expected.on(TOPICS.models()).get(0).value);
        assertThat(actual.on(TOPICS.reports()).get(0).value).isEqualTo(expected.on(TOPICS.reports()).get(0).value);
        assertThat(TensorRecords.fromRecords(actual.models().get(0).getTensors())).isEqualTo(W1_BY_HAND);
    }

    @Test
    void restoredRoundStillKnowsWhichClientsContributed() throws Exception {
        // Prepare
        var beforeFailure = openHarness(null);
        beforeFailure.processElement(specEvent(spec(3).build(), 0), T0);
        beforeFailure.processElement(updateEvent(ALICE, 1), T0 + 1);
        OperatorSubtaskState snapshot = beforeFailure.snapshot(1L, T0 + 1);
        harnesses.close(beforeFailure);
        var restored = openHarness(snapshot);

        // Execute
        restored.processElement(updateEvent(update("alice", 5, weights(0f, 0f, 0f)).setUpdateId("u-alice-2").build(), 2),
                T0 + 2);
        restored.processElement(updateEvent(BOB, 3), T0 + 3);
        PublishedRecords afterBob = PublishedRecords.drain(restored, TOPICS);
        restored.processElement(updateEvent(CAROL, 4), T0 + 4);

        // Assert
        assertThat(afterBob.deadLetters()).extracting(DeadLetter::getReason).containsExactly("DUPLICATE_CLIENT");
        assertThat(afterBob.models()).isEmpty();
        PublishedRecords out = PublishedRecords.drain(restored, TOPICS);
        assertThat(TensorRecords.fromRecords(out.models().get(0).getTensors())).isEqualTo(W1_BY_HAND);
        assertThat(out.reports().get(0).getRejected()).extracting(RejectedUpdate::getUpdateId).containsExactly("u-alice-2");
    }

    @Test
    void rejectedUpdatesAreDeadLetteredWithTheirBytesAndDoNotAdvanceTheRound() throws Exception {
        // Prepare
        var harness = openHarness(null);
        harness.processElement(specEvent(spec(3).build(), 0), T0);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        PublishedRecords.drain(harness, TOPICS);
        ModelWeights small = weights(0.5f, 0.5f, 0.5f);
        List<ModelUpdate> rejects = List.of(
                update("dave", 1, small).setModelId("nobody-created-this").build(),
                update("dave", 1, small).setBaseVersion(1L).build(),
                update("alice", 1, small).setUpdateId("u-alice-again").build(),
                update("erin", 1, weights(Float.NaN, 0f, 0f)).build(),
                update("frank", 1, small).setTensors(TensorRecords.toRecords(new ModelWeights(List.of(
                        new Tensor("dense0.W", new int[] {1, 2}, new float[] {0.5f, 0.5f}),
                        new Tensor("dense0.b", new int[] {1}, new float[] {0.5f}))))).build(),
                update("grace", 0, small).build());
        List<String> expectedReasons = List.of("UNKNOWN_MODEL", "WRONG_BASE_VERSION", "DUPLICATE_CLIENT",
                "NON_FINITE_VALUES", "LAYOUT_MISMATCH", "NON_POSITIVE_EXAMPLES");

        // Execute and Assert: each rejection is one dead letter and nothing else
        for (int i = 0; i < rejects.size(); i++) {
            ModelUpdate bad = rejects.get(i);
            ModelEvent event = updateEvent(bad, 10 + i);
            harness.processElement(event, T0 + 10 + i);

            PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
            assertThat(out.all()).as(expectedReasons.get(i)).hasSize(1);
            DeadLetter letter = out.deadLetters().get(0);
            assertThat(letter.getReason()).isEqualTo(expectedReasons.get(i));
            assertThat(bytes(letter.getPayload())).isEqualTo(event.origin.value);
            assertThat(bytes(letter.getKey())).isEqualTo(event.origin.key);
            assertThat(letter.getSourceTopic()).isEqualTo(TOPICS.updates());
            assertThat(letter.getOffset()).isEqualTo(10L + i);
            assertThat(letter.getModelId()).isEqualTo(bad.getModelId());
            assertThat(letter.getClientId()).isEqualTo(bad.getClientId());
            assertThat(letter.getUpdateId()).isEqualTo(bad.getUpdateId());
            assertThat(letter.getDetail()).isNotBlank();
            assertThat(new String(out.all().get(0).key, StandardCharsets.UTF_8)).isEqualTo(bad.getModelId());
        }

        // Execute: the round still needs two more valid updates
        harness.processElement(updateEvent(BOB, 20), T0 + 20);
        assertThat(PublishedRecords.drain(harness, TOPICS).isEmpty()).isTrue();
        harness.processElement(updateEvent(CAROL, 21), T0 + 21);

        // Assert: rejected updates did not enter the mean; the round's report lists them (not the
        // one for another model, which has no round)
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(TensorRecords.fromRecords(out.models().get(0).getTensors())).isEqualTo(W1_BY_HAND);
        AggregationReport report = out.reports().get(0);
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getUpdateId)
                .containsExactly("u-alice", "u-bob", "u-carol");
        assertThat(report.getRejected())
                .extracting(RejectedUpdate::getUpdateId, RejectedUpdate::getReason)
                .containsExactly(
                        tuple("u-dave", "WRONG_BASE_VERSION"),
                        tuple("u-alice-again", "DUPLICATE_CLIENT"),
                        tuple("u-erin", "NON_FINITE_VALUES"),
                        tuple("u-frank", "LAYOUT_MISMATCH"),
                        tuple("u-grace", "NON_POSITIVE_EXAMPLES"));
    }

    @Test
    void lateUpdateForAClosedRoundIsRejectedInTheNextRound() throws Exception {
        // Prepare: version 1 published, its round with one rejection; clients may contribute again
        var harness = openHarness(null);
        harness.processElement(specEvent(spec(3).build(), 0), T0);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        harness.processElement(updateEvent(update("erin", 1, weights(Float.NaN, 0f, 0f)).build(), 2), T0 + 2);
        harness.processElement(updateEvent(BOB, 3), T0 + 3);
        harness.processElement(updateEvent(CAROL, 4), T0 + 4);
        assertThat(PublishedRecords.drain(harness, TOPICS).reports().get(1).getRejected()).hasSize(1);
        ModelWeights zero = weights(0f, 0f, 0f);

        // Execute
        harness.processElement(updateEvent(update("dave", 4, zero).build(), 5), T0 + 5);
        PublishedRecords late = PublishedRecords.drain(harness, TOPICS);
        List<String> clients = List.of("alice", "bob", "carol");
        for (int i = 0; i < clients.size(); i++) {
            ModelUpdate next = update(clients.get(i), 1, zero).setUpdateId("u2-" + clients.get(i)).setBaseVersion(1L).build();
            harness.processElement(updateEvent(next, 6 + i), T0 + 6 + i);
        }

        // Assert: the new round starts empty (same clients accepted, only its own rejection reported)
        assertThat(late.deadLetters()).extracting(DeadLetter::getReason).containsExactly("LATE_UPDATE");
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        GlobalModel v2 = out.models().get(0);
        assertThat(v2.getVersion()).isEqualTo(2L);
        assertThat(TensorRecords.fromRecords(v2.getTensors())).isEqualTo(W1_BY_HAND);
        AggregationReport report = out.reports().get(0);
        assertThat(report.getBaseVersion()).isEqualTo(1L);
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getUpdateId)
                .containsExactly("u2-alice", "u2-bob", "u2-carol");
        assertThat(report.getRejected()).extracting(RejectedUpdate::getUpdateId, RejectedUpdate::getReason)
                .containsExactly(tuple("u-dave", "LATE_UPDATE"));
        assertThat(report.getLateUpdates()).isEqualTo(1);
        assertThat(report.getMode()).isEqualTo("sync");
        assertThat(report.getStaleness()).containsExactly(org.assertj.core.api.Assertions.entry("0", 3L));
    }

    @Test
    void aggregateDoesNotDependOnArrivalOrder() throws Exception {
        // Prepare: weights 3/15, 5/15, 7/15 and deltas whose float32 sums would round differently
        // in different orders; the provenance and report lists would also differ unless sorted
        List<ModelUpdate> updates = List.of(
                update("x", 3, weights(0.1f, 1e-7f, -3.3f)).build(),
                update("y", 5, weights(0.7f, 12345.678f, 0.2f)).build(),
                update("z", 7, weights(-0.3f, 1e-3f, 1.1f)).build());
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

        // Execute
        List<OutboundRecord> models = new ArrayList<>();
        List<OutboundRecord> reports = new ArrayList<>();
        for (int[] order : orders) {
            var harness = openHarness(null);
            harness.processElement(specEvent(spec(3).build(), 0), T0);
            PublishedRecords.drain(harness, TOPICS);
            for (int i = 0; i < order.length; i++) {
                harness.processElement(updateEvent(updates.get(order[i]), 1 + i), T0 + 1 + i);
            }
            PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
            models.addAll(out.on(TOPICS.models()));
            reports.addAll(out.on(TOPICS.reports()));
        }

        // Assert
        assertThat(models).hasSize(orders.length);
        assertThat(reports).hasSize(orders.length);
        for (int i = 1; i < orders.length; i++) {
            assertThat(models.get(i).value).as("model, order %d", i).isEqualTo(models.get(0).value);
            assertThat(reports.get(i).value).as("report, order %d", i).isEqualTo(reports.get(0).value);
        }
        assertThat(WireCodec.GLOBAL_MODEL.decode(models.get(0).value).getVersion()).isEqualTo(1L);
    }

    @Test
    void invalidSpecIsDeadLetteredAndCreatesNothing() throws Exception {
        // Prepare
        var harness = openHarness(null);
        ModelSpec unknownRule = spec(3)
                .setAggregation(AggregationConfig.newBuilder().setRule("geomed").setClientsPerRound(3).build()).build();
        ModelEvent event = specEvent(unknownRule, 0);

        // Execute
        harness.processElement(event, T0);
        PublishedRecords afterSpec = PublishedRecords.drain(harness, TOPICS);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);

        // Assert
        assertThat(afterSpec.all()).hasSize(1);
        DeadLetter letter = afterSpec.deadLetters().get(0);
        assertThat(letter.getReason()).isEqualTo("INVALID_SPEC");
        assertThat(letter.getDetail()).contains("geomed");
        assertThat(letter.getSourceTopic()).isEqualTo(TOPICS.control());
        assertThat(letter.getModelId()).isEqualTo(MODEL_ID);
        assertThat(bytes(letter.getPayload())).isEqualTo(event.origin.value);
        assertThat(PublishedRecords.drain(harness, TOPICS).deadLetters()).extracting(DeadLetter::getReason)
                .containsExactly("UNKNOWN_MODEL");
    }

    @Test
    void respecWithAnotherTensorLayoutIsDeadLetteredAndLeavesTheModelAlone() throws Exception {
        // Prepare
        var harness = openHarness(null);
        harness.processElement(specEvent(spec(3).build(), 0), T0);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        PublishedRecords.drain(harness, TOPICS);
        ModelSpec wider = spec(1).setInitialTensors(TensorRecords.toRecords(new ModelWeights(List.of(
                new Tensor("dense0.W", new int[] {3, 1}, new float[] {0f, 0f, 0f}),
                new Tensor("dense0.b", new int[] {1}, new float[] {0f}))))).build();
        ModelEvent event = specEvent(wider, 2);

        // Execute
        harness.processElement(event, T0 + 2);
        PublishedRecords afterRespec = PublishedRecords.drain(harness, TOPICS);
        harness.processElement(updateEvent(BOB, 3), T0 + 3);
        PublishedRecords afterBob = PublishedRecords.drain(harness, TOPICS);
        harness.processElement(updateEvent(CAROL, 4), T0 + 4);

        // Assert: refused, so clientsPerRound is still 3 and the round closes as before
        assertThat(afterRespec.all()).hasSize(1);
        assertThat(afterRespec.deadLetters().get(0).getReason()).isEqualTo("INVALID_SPEC");
        assertThat(bytes(afterRespec.deadLetters().get(0).getPayload())).isEqualTo(event.origin.value);
        assertThat(afterBob.isEmpty()).isTrue();
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(TensorRecords.fromRecords(out.models().get(0).getTensors())).isEqualTo(W1_BY_HAND);
    }

    @Test
    void respecLoweringClientsPerRoundToTheAcceptedCountClosesTheRound() throws Exception {
        // Prepare
        var harness = openHarness(null);
        harness.processElement(specEvent(spec(3).build(), 0), T0);
        harness.processElement(updateEvent(ALICE, 1), T0 + 1);
        harness.processElement(updateEvent(CAROL, 2), T0 + 2);
        PublishedRecords.drain(harness, TOPICS);
        ClientTrainingConfig slower = ClientTrainingConfig.newBuilder().setLearningRate(0.05f).setLocalEpochs(2)
                .setBatchSize(16).build();

        // Execute
        harness.processElement(specEvent(spec(2).setTraining(slower).build(), 3), T0 + 3);

        // Assert: w1 = w0 + (1/2) Δ_alice + (1/2) Δ_carol
        //   W = [0.5 + 0.5 + 0, -0.25 + 1 - 0.5] = [1.0, 0.25], b = 0.125 + 0.25 - 0.25 = 0.125
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.all()).extracting(r -> r.topic).containsExactly(TOPICS.models(), TOPICS.reports());
        GlobalModel v1 = out.models().get(0);
        assertThat(v1.getVersion()).isEqualTo(1L);
        assertThat(TensorRecords.fromRecords(v1.getTensors())).isEqualTo(weights(1.0f, 0.25f, 0.125f));
        assertThat(v1.getTraining()).isEqualTo(slower);
        assertThat(out.reports().get(0).getAccepted())
                .extracting(AcceptedUpdate::getUpdateId, AcceptedUpdate::getWeight)
                .containsExactly(tuple("u-alice", 0.5), tuple("u-carol", 0.5));
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> openHarness(
            OperatorSubtaskState restoreFrom) throws Exception {
        return harnesses.open(new ModelAggregator(TOPICS), restoreFrom);
    }

    /** Each tensor's DENSE_F32 bytes, wrapped so that list equality compares contents. */
    private static List<ByteBuffer> tensorBytes(GlobalModel model) {
        return model.getTensors().stream().map(t -> ByteBuffer.wrap(bytes(t.getData()))).toList();
    }
}
