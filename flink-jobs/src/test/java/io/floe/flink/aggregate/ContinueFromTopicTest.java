package io.floe.flink.aggregate;

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
import static org.assertj.core.api.Assertions.within;

import io.floe.core.privacy.RdpAccountant;
import io.floe.core.server.ModelVersions;
import io.floe.core.server.ReportBuilder;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.flink.io.OutboundRecord;
import io.floe.flink.resume.PublishedModels;
import io.floe.flink.aggregate.state.UpdatesAwaitingSpec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.PrivacyLedgerEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job that starts without state over an existing deployment: a spec for a model that has no
 * keyed state but a published version continues that version (not republished) and its privacy
 * ledger; with keyed state the published version is ignored; a created model's version 0 has a
 * report. Updates read again that the continued version already applied are not aggregated twice,
 * and updates that arrive before their model's spec wait for it.
 */
class ContinueFromTopicTest {
    private static final byte[] SECRET = "a configured DP noise secret".getBytes();
    private static final double Z = 3.0;
    private static final double DELTA = 1e-5;

    /** Version 5 of the tiny model as a previous job published it: W = [1, 1], b = [0.5]. */
    private static final GlobalModel V5 = published(5, spec(2).build());

    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    private static GlobalModel published(long version, ModelSpec spec) {
        GlobalModel m = ModelVersions.versionZero(spec, weights(1f, 1f, 0.5f), Instant.ofEpochMilli(T0 - 1000));
        m.setVersion(version);
        m.getProvenance().setParentVersion(version - 1);
        return m;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> open(PublishedModels published,
            OperatorSubtaskState from) throws Exception {
        return harnesses.open(new ModelAggregator(TOPICS, SECRET, published), from);
    }

    private static void round(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h, long version, long offset)
            throws Exception {
        for (String client : List.of("alice", "bob")) {
            h.processElement(updateEvent(update(client, 1, weights(0.5f, -0.5f, 0.25f)).setBaseVersion(version)
                    .setUpdateId("u-" + client + "-" + version).build(), offset), T0 + offset);
            offset++;
        }
    }

    private static ModelSpec dpSpec(double budget) {
        return spec(2).setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(2)
                .setDpNoiseMultiplier(Z).setDpClipNorm(0.5).setDpDelta(DELTA).setDpTargetEpsilon(budget).build()).build();
    }

    /** The report a previous job published with its version {@code version}: the DP ledger after {@code rounds} rounds. */
    private static AggregationReport dpReport(long version, long rounds, boolean exhausted, double budget) {
        GlobalModel before = published(version - 1, dpSpec(budget));
        return ReportBuilder.after(before, Instant.ofEpochMilli(T0 - 1000), "dp-fedavg")
                .privacy(PrivacyLedgerEntry.newBuilder().setMechanism("gaussian").setNoiseMultiplier(Z).setClipNorm(0.5)
                        .setSampleRate(1.0).setRounds(rounds).setEpsilon(RdpAccountant.epsilon(1.0, Z, rounds, DELTA))
                        .setDelta(DELTA).setBestOrder(0).setTargetEpsilon(budget).setExhausted(exhausted)
                        .setClientEpsilons(Map.of()).build())
                .build();
    }

    @Test
    void aSpecWithoutStateAdoptsThePublishedVersionAndTheNextRoundPublishesTheOneAfter() throws Exception {
        // Prepare
        var h = open(PublishedModels.of(List.of(V5), List.of()), null);

        // Execute: the spec, replayed from the control topic
        h.processElement(specEvent(spec(2).build(), 0), T0);

        // Assert: nothing republished, no version 0
        assertThat(PublishedRecords.drain(h, TOPICS).all()).isEmpty();

        // Execute: a round trained from version 5
        round(h, 5, 10);

        // Assert: version 6 on top of version 5's weights: W = [1 + 0.5, 1 - 0.5], b = 0.5 + 0.25
        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.models()).singleElement().satisfies(v6 -> {
            assertThat(v6.getVersion()).isEqualTo(6L);
            assertThat(v6.getProvenance().getParentVersion()).isEqualTo(5L);
            assertThat(TensorRecords.fromRecords(v6.getTensors())).isEqualTo(weights(1.5f, 0.5f, 0.75f));
        });
        assertThat(out.reports()).singleElement().satisfies(r -> {
            assertThat(r.getVersion()).isEqualTo(6L);
            assertThat(r.getBaseVersion()).isEqualTo(5L);
        });
    }

    @Test
    void anUpdateFromBeforeThePublishedVersionIsRefusedAsFromAnotherRound() throws Exception {
        var h = open(PublishedModels.of(List.of(V5), List.of()), null);
        h.processElement(specEvent(spec(2).build(), 0), T0);

        h.processElement(updateEvent(update("alice", 1, weights(0.5f, -0.5f, 0.25f)).setBaseVersion(0).build(), 1), T0 + 1);

        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.models()).isEmpty();
        assertThat(out.deadLetters()).singleElement().satisfies(d -> assertThat(d.getReason()).isIn("WRONG_BASE_VERSION", "LATE_UPDATE"));
    }

    @Test
    void theLedgerContinuesFromTheNewestReport() throws Exception {
        // Prepare: version 3 published after 3 noisy rounds
        double budget = 100;
        var h = open(PublishedModels.of(List.of(published(3, dpSpec(budget))), List.of(dpReport(3, 3, false, budget))), null);
        h.processElement(specEvent(dpSpec(budget), 0), T0);
        PublishedRecords.drain(h, TOPICS);

        // Execute
        round(h, 3, 10);

        // Assert: the fourth noisy round, accounted on top of the three
        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.models()).extracting(GlobalModel::getVersion).containsExactly(4L);
        assertThat(out.reports()).singleElement().satisfies(r -> {
            assertThat(r.getPrivacy().getRounds()).isEqualTo(4L);
            assertThat(r.getPrivacy().getEpsilon()).isCloseTo(RdpAccountant.epsilon(1.0, Z, 4, DELTA), within(1e-9));
        });
    }

    @Test
    void anExhaustedLedgerStaysExhausted() throws Exception {
        double budget = RdpAccountant.epsilon(1.0, Z, 3, DELTA) * 1.01;
        var h = open(PublishedModels.of(List.of(published(3, dpSpec(budget))), List.of(dpReport(4, 3, true, budget))), null);
        h.processElement(specEvent(dpSpec(budget), 0), T0);
        PublishedRecords.drain(h, TOPICS);

        round(h, 3, 10);

        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.models()).isEmpty();
        assertThat(out.deadLetters()).hasSize(2)
                .allSatisfy(d -> assertThat(d.getReason()).isEqualTo("PRIVACY_BUDGET_EXHAUSTED"));
    }

    @Test
    void withKeyedStateThePublishedVersionIsIgnored() throws Exception {
        // Prepare: a job that created the model at version 0, snapshotted
        var first = open(PublishedModels.none(), null);
        first.processElement(specEvent(spec(2).build(), 0), T0);
        PublishedRecords.drain(first, TOPICS);
        OperatorSubtaskState snapshot = first.snapshot(1L, T0 + 1);
        harnesses.close(first);

        // Execute: restored with a published version 5 at hand, the spec again, a round from version 0
        var h = open(PublishedModels.of(List.of(V5), List.of()), snapshot);
        h.processElement(specEvent(spec(2).build(), 0), T0);
        round(h, 0, 10);

        // Assert: the model's own version 1, from version 0
        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.models()).singleElement().satisfies(v1 -> {
            assertThat(v1.getVersion()).isEqualTo(1L);
            assertThat(TensorRecords.fromRecords(v1.getTensors())).isEqualTo(weights(1f, -0.75f, 0.375f));
        });
    }

    @Test
    void aPublishedVersionWithAnotherLayoutRefusesTheSpec() throws Exception {
        GlobalModel other = V5;
        other = GlobalModel.newBuilder(V5).setTensors(TensorRecords.toRecords(new io.floe.core.tensor.ModelWeights(List.of(
                new Tensor("dense0.W", new int[] {3, 1}, new float[] {1f, 1f, 1f}),
                new Tensor("dense0.b", new int[] {1}, new float[] {0f}))))).build();
        var h = open(PublishedModels.of(List.of(other), List.of()), null);

        h.processElement(specEvent(spec(2).build(), 0), T0);

        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.models()).isEmpty();
        assertThat(out.deadLetters()).singleElement().satisfies(d -> assertThat(d.getReason()).isEqualTo("INVALID_SPEC"));
    }

    @Test
    void versionZeroIsPublishedWithAReport() throws Exception {
        var h = open(PublishedModels.none(), null);

        h.processElement(specEvent(spec(3).build(), 0), T0);

        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.all()).extracting(r -> r.topic).containsExactly(TOPICS.models(), TOPICS.reports());
        assertThat(TensorRecords.fromRecords(out.models().get(0).getTensors())).isEqualTo(initialWeights());
        assertThat(out.reports()).singleElement().satisfies(r -> {
            assertThat(r.getModelId()).isEqualTo(MODEL_ID);
            assertThat(r.getVersion()).isZero();
            assertThat(r.getBaseVersion()).isEqualTo(-1L);
            assertThat(r.getStatus()).isEqualTo(ReportBuilder.STATUS_CREATED);
            assertThat(r.getRule()).isEqualTo("fedavg");
            assertThat(r.getMode()).isEqualTo("sync");
            assertThat(r.getAccepted()).isEmpty();
            assertThat(r.getRejected()).isEmpty();
            assertThat(r.getCreatedAt().toEpochMilli()).isEqualTo(T0);
            assertThat(r.getNote()).startsWith("created from spec").contains("logreg(2)", "3 clients per round");
        });
    }

    /** The report of version {@code version} as a previous job published it, accepting {@code updateId} from alice. */
    private static AggregationReport accepting(ModelSpec spec, long version, String updateId) {
        return AggregationReport.newBuilder(ReportBuilder.after(published(version - 1, spec), Instant.ofEpochMilli(T0 - 1000), "fedavg")
                .build()).setAccepted(List.of(AcceptedUpdate.newBuilder().setUpdateId(updateId).setClientId("alice")
                        .setNumExamples(1).setWeight(1.0).build())).build();
    }

    @Test
    void fedAsyncDoesNotApplyAgainTheUpdateThatMadeTheContinuedVersion() throws Exception {
        // Prepare: version 5 was made by alice's update "u-alice-4" (trained from version 4)
        ModelSpec fedasync = spec(2).setAggregation(AggregationConfig.newBuilder().setMode("fedasync").setAsyncMixing(0.5)
                .setStaleness("polynomial:a=1").build()).build();
        var h = open(PublishedModels.of(List.of(published(5, fedasync)), List.of(accepting(fedasync, 5, "u-alice-4"))), null);
        h.processElement(specEvent(fedasync, 0), T0);

        // Execute: the updates topic read again from about version 5's time: alice's update once more, then bob's
        h.processElement(updateEvent(update("alice", 1, weights(2f, 2f, 2f)).setBaseVersion(4).setUpdateId("u-alice-4").build(), 1),
                T0 + 1);
        PublishedRecords again = PublishedRecords.drain(h, TOPICS);
        h.processElement(updateEvent(update("bob", 1, weights(1f, 1f, 1f)).setBaseVersion(5).setUpdateId("u-bob-5").build(), 2),
                T0 + 2);

        // Assert: alice's update made nothing (no version, no dead letter); bob's makes version 6 on top of version 5:
        // tau 0, alpha 0.5: x6 = x5 + 0.5 (1, 1, 1) = (1.5, 1.5, 1)
        assertThat(again.all()).isEmpty();
        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.models()).singleElement().satisfies(v6 -> {
            assertThat(v6.getVersion()).isEqualTo(6L);
            assertThat(TensorRecords.fromRecords(v6.getTensors())).isEqualTo(weights(1.5f, 1.5f, 1f));
        });
        assertThat(out.reports()).singleElement().satisfies(r -> assertThat(r.getAccepted()).extracting(AcceptedUpdate::getUpdateId)
                .containsExactly("u-bob-5"));
    }

    @Test
    void aSyncRoundIgnoresQuietlyAnUpdateTheContinuedVersionAggregated() throws Exception {
        var h = open(PublishedModels.of(List.of(V5), List.of(accepting(spec(2).build(), 5, "u-alice-4"))), null);
        h.processElement(specEvent(spec(2).build(), 0), T0);

        h.processElement(updateEvent(update("alice", 1, weights(0.5f, -0.5f, 0.25f)).setBaseVersion(4).setUpdateId("u-alice-4")
                .build(), 1), T0 + 1);

        // Assert: not a late update to refuse (it was aggregated, by the previous job): nothing at all
        assertThat(PublishedRecords.drain(h, TOPICS).all()).isEmpty();
    }

    @Test
    void anUpdateReadBeforeItsModelsSpecWaitsForItAndJoinsTheRound() throws Exception {
        var h = open(PublishedModels.of(List.of(V5), List.of()), null);
        h.setProcessingTime(0);

        // Execute: alice's update for version 5 arrives before the spec is read again
        h.processElement(updateEvent(update("alice", 1, weights(0.5f, -0.5f, 0.25f)).setBaseVersion(5).setUpdateId("u-alice-5")
                .build(), 1), T0 + 1);
        PublishedRecords before = PublishedRecords.drain(h, TOPICS);
        h.processElement(specEvent(spec(2).build(), 0), T0 + 2);
        h.processElement(updateEvent(update("bob", 1, weights(0.5f, -0.5f, 0.25f)).setBaseVersion(5).setUpdateId("u-bob-5")
                .build(), 3), T0 + 3);
        h.setProcessingTime(UpdatesAwaitingSpec.HOLD_MS + 1);

        // Assert: held (no dead letter), then aggregated with bob's into version 6
        assertThat(before.all()).isEmpty();
        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.deadLetters()).isEmpty();
        assertThat(out.models()).singleElement().satisfies(v6 -> {
            assertThat(v6.getVersion()).isEqualTo(6L);
            assertThat(TensorRecords.fromRecords(v6.getTensors())).isEqualTo(weights(1.5f, 0.5f, 0.75f));
        });
        assertThat(out.reports()).singleElement().satisfies(r -> assertThat(r.getAccepted()).extracting(AcceptedUpdate::getUpdateId)
                .containsExactlyInAnyOrder("u-alice-5", "u-bob-5"));
    }

    @Test
    void aHeldUpdateWhoseSpecNeverComesIsDeadLetteredAtTheDeadline() throws Exception {
        var h = open(PublishedModels.of(List.of(V5), List.of()), null);
        h.setProcessingTime(0);
        h.processElement(updateEvent(update("alice", 1, weights(0.5f, -0.5f, 0.25f)).setBaseVersion(5).build(), 1), T0 + 1);

        h.setProcessingTime(UpdatesAwaitingSpec.HOLD_MS - 1);
        PublishedRecords waiting = PublishedRecords.drain(h, TOPICS);
        h.setProcessingTime(UpdatesAwaitingSpec.HOLD_MS);

        assertThat(waiting.all()).isEmpty();
        assertThat(PublishedRecords.drain(h, TOPICS).deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("UNKNOWN_MODEL");
            assertThat(d.getClientId()).isEqualTo("alice");
        });
    }

    @Test
    void anUpdateReadBeforeItsSpecButLargerThanThePublishedModelAllowsIsRefusedNotHeld() throws Exception {
        var h = open(PublishedModels.of(List.of(V5), List.of()), null);
        h.setProcessingTime(0);
        // one tensor of 100,000 floats: 400 KB for a published model of three parameters (the bound is 2 x its bytes + 64 KiB)
        byte[] huge = io.floe.core.wire.WireCodec.MODEL_UPDATE.encode(update("mallory", 1, new io.floe.core.tensor.ModelWeights(
                List.of(new Tensor("dense0.W", new int[] {100_000}, new float[100_000])))).setBaseVersion(5).build());

        h.processElement(new ModelEvent(MODEL_ID, ModelEvent.Kind.UPDATE, TinyLinearModel.inbound(TOPICS.updates(), 1, huge)),
                T0 + 1);

        assertThat(PublishedRecords.drain(h, TOPICS).deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("RECORD_TOO_LARGE");
            assertThat(d.getPayloadBytes()).isEqualTo(huge.length);
        });
    }

    @Test
    void anUpdateForAModelNeitherInStateNorOnTheTopicIsRefusedAtOnce() throws Exception {
        var h = open(PublishedModels.none(), null);

        h.processElement(updateEvent(update("alice", 1, weights(0.5f, -0.5f, 0.25f)).build(), 1), T0 + 1);

        assertThat(PublishedRecords.drain(h, TOPICS).deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.getReason()).isEqualTo("UNKNOWN_MODEL"));
    }
}
