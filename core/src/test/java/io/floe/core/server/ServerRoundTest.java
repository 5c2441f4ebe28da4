package io.floe.core.server;

import io.floe.core.settings.AggregationSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.FederatedAveraging;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ServerRoundTest {

    private static final Offset<Float> EPS = within(1e-6f);
    private static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final Instant T1 = Instant.ofEpochMilli(1_700_000_060_000L);

    /** w_v: W = [1, 2] (shape 1x2), b = [0.5]. */
    private static final ModelWeights CURRENT = weights(new float[] {1f, 2f}, 0.5f);

    private static ModelWeights weights(float[] w, float b) {
        return new ModelWeights(List.of(
                new Tensor("W", new int[] {1, 2}, w),
                new Tensor("b", new int[] {1}, new float[] {b})));
    }

    private static ModelSpec spec() {
        return ModelSpec.newBuilder()
                .setModelId("wdbc-logreg")
                .setArchitecture("logreg(2)")
                .setInitialTensors(TensorRecords.toRecords(CURRENT))
                .setInitSeed(99L)
                .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(3).build())
                .setTraining(ClientTrainingConfig.newBuilder()
                        .setLearningRate(0.05f).setLocalEpochs(2).setBatchSize(16).build())
                .setCreatedAt(T0)
                .build();
    }

    private static GlobalModel currentModel(long version) {
        return GlobalModel.newBuilder(ModelVersions.versionZero(spec(), CURRENT, T0)).setVersion(version).build();
    }

    /** Three updates, deliberately not in updateId order; n = 2, 7, 1 so the weights are 0.2, 0.7, 0.1. */
    private static List<ClientUpdate> acceptedUpdates() {
        return List.of(
                new ClientUpdate("u-c", "carol", 4L, 1L, 3, weights(new float[] {2f, 3f}, 1f),
                        Map.of("loss", 1.0)),
                new ClientUpdate("u-a", "alice", 4L, 2L, 5, weights(new float[] {1f, -1f}, 0.5f),
                        Map.of("loss", 0.5, "accuracy", 0.9)),
                new ClientUpdate("u-b", "bob", 4L, 7L, 9, weights(new float[] {0f, 1f}, -0.5f),
                        Map.of("loss", 0.2, "accuracy", Double.NaN)));
    }

    private static List<RejectedUpdate> rejectedUpdates() {
        return List.of(
                RejectedUpdate.newBuilder().setUpdateId("u-x").setClientId("mallory")
                        .setReason("NON_FINITE_VALUES").setDetail("tensor 'W' holds NaN or infinite values").build(),
                RejectedUpdate.newBuilder().setUpdateId("u-y").setClientId("dave")
                        .setReason("WRONG_BASE_VERSION").setDetail("late").build());
    }

    private static ClosedRound closeRoundFour() {
        return new ServerRound().close(RoundInput.of(currentModel(4L), CURRENT, spec(), AggregationSettings.from(spec().getAggregation()),
                acceptedUpdates(), rejectedUpdates(), T1));
    }

    @Test
    void versionZeroCarriesTheSpec() {
        // Execute
        GlobalModel v0 = ModelVersions.versionZero(spec(), CURRENT, T0);

        // Assert
        assertThat(v0.getModelId()).isEqualTo("wdbc-logreg");
        assertThat(v0.getVersion()).isZero();
        assertThat(v0.getCreatedAt()).isEqualTo(T0);
        assertThat(v0.getArchitecture()).isEqualTo("logreg(2)");
        assertThat(TensorRecords.fromRecords(v0.getTensors())).isEqualTo(CURRENT);
        assertThat(v0.getTraining()).isEqualTo(spec().getTraining());
        assertThat(v0.getSelection()).isNull();
        assertThat(v0.getProvenance().getRule()).isEqualTo("fedavg");
        assertThat(v0.getProvenance().getParentVersion()).isEqualTo(-1L);
        assertThat(v0.getProvenance().getUpdateIds()).isEmpty();
        assertThat(v0.getProvenance().getSeed()).isEqualTo(99L);
    }

    @Test
    void closePublishesTheNextVersionAsCurrentPlusFedAvgDelta() {
        // Execute
        GlobalModel next = closeRoundFour().model();

        // Assert: delta = 0.2 * alice + 0.7 * bob + 0.1 * carol
        //   W[0] = 0.2*1    + 0.7*0    + 0.1*2 =  0.4  -> 1   + 0.4  = 1.4
        //   W[1] = 0.2*(-1) + 0.7*1    + 0.1*3 =  0.8  -> 2   + 0.8  = 2.8
        //   b    = 0.2*0.5  + 0.7*(-0.5) + 0.1*1 = -0.15 -> 0.5 - 0.15 = 0.35
        assertThat(next.getVersion()).isEqualTo(5L);
        assertThat(next.getModelId()).isEqualTo("wdbc-logreg");
        assertThat(next.getArchitecture()).isEqualTo("logreg(2)");
        assertThat(next.getCreatedAt()).isEqualTo(T1);
        ModelWeights w = TensorRecords.fromRecords(next.getTensors());
        assertThat(w.tensors()).extracting(Tensor::name).containsExactly("W", "b");
        assertThat(w.get("W").shape()).containsExactly(1, 2);
        assertThat(w.get("W").values()).containsExactly(new float[] {1.4f, 2.8f}, EPS);
        assertThat(w.get("b").values()).containsExactly(new float[] {0.35f}, EPS);
        assertThat(next.getTraining()).isEqualTo(spec().getTraining());
    }

    @Test
    void provenanceNamesParentRuleAndSortedUpdateIds() {
        // Execute
        GlobalModel next = closeRoundFour().model();

        // Assert
        assertThat(next.getProvenance().getParentVersion()).isEqualTo(4L);
        assertThat(next.getProvenance().getRule()).isEqualTo("fedavg");
        assertThat(next.getProvenance().getUpdateIds()).containsExactly("u-a", "u-b", "u-c");
        assertThat(next.getProvenance().getSeed()).isEqualTo(99L);
    }

    @Test
    void reportListsAcceptedUpdatesWithTheirWeights() {
        // Execute
        AggregationReport report = closeRoundFour().report();

        // Assert
        assertThat(report.getModelId()).isEqualTo("wdbc-logreg");
        assertThat(report.getVersion()).isEqualTo(5L);
        assertThat(report.getBaseVersion()).isEqualTo(4L);
        assertThat(report.getCreatedAt()).isEqualTo(T1);
        assertThat(report.getRule()).isEqualTo("fedavg");
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getUpdateId).containsExactly("u-a", "u-b", "u-c");
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId).containsExactly("alice", "bob", "carol");
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getNumExamples).containsExactly(2L, 7L, 1L);
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getWeight).containsExactly(0.2, 0.7, 0.1);
    }

    @Test
    void reportCarriesTheRejectedUpdatesThrough() {
        // Execute
        AggregationReport report = closeRoundFour().report();

        // Assert
        assertThat(report.getRejected()).containsExactlyElementsOf(rejectedUpdates());
    }

    @Test
    void reportMetricsAreExampleWeighted() {
        // Execute
        Map<String, Double> metrics = closeRoundFour().report().getClientMetrics();

        // Assert: loss (2*0.5 + 7*0.2 + 1*1.0) / 10 = 0.34; accuracy only from alice (bob's is NaN, carol has none)
        assertThat(metrics).containsOnlyKeys("loss", "accuracy");
        assertThat(metrics.get("loss")).isCloseTo(0.34, within(1e-12));
        assertThat(metrics.get("accuracy")).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void closingIsIndependentOfArrivalOrder() {
        // Prepare
        List<ClientUpdate> updates = acceptedUpdates();
        List<ClientUpdate> reversed = List.of(updates.get(2), updates.get(1), updates.get(0));

        // Execute
        ClosedRound a = new ServerRound().close(RoundInput.of(currentModel(4L), CURRENT, spec(), AggregationSettings.from(spec().getAggregation()),
                updates, rejectedUpdates(), T1));
        ClosedRound b = new ServerRound().close(RoundInput.of(currentModel(4L), CURRENT, spec(), AggregationSettings.from(spec().getAggregation()),
                reversed, rejectedUpdates(), T1));

        // Assert: the job and an auditor replaying the log publish the same records, byte for byte
        // (as bytes: a report's krumScore is NaN outside the Krum rules, and Avro's equals has NaN != NaN)
        assertThat(b.model()).isEqualTo(a.model());
        assertThat(io.floe.core.wire.WireCodec.AGGREGATION_REPORT.encode(b.report()))
                .isEqualTo(io.floe.core.wire.WireCodec.AGGREGATION_REPORT.encode(a.report()));
        assertThat(a.report().getScores()).extracting(io.floe.schema.UpdateScore::getKrumScore).allMatch(k -> Double.isNaN(k));
    }

    @Test
    void closingDoesNotChangeTheCurrentWeights() {
        // Prepare
        ModelWeights current = CURRENT.copy();

        // Execute
        new ServerRound().close(RoundInput.of(currentModel(4L), current, spec(), AggregationSettings.from(spec().getAggregation()),
                acceptedUpdates(), List.of(), T1));

        // Assert
        assertThat(current).isEqualTo(CURRENT);
    }
}
