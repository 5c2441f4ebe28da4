package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drift algorithms and server optimizers in the running operator (issue 6, item 4): FedAdam's
 * moments kept in keyed state across rounds and across a snapshot, FedNova's normalisation by
 * local steps, and SCAFFOLD's server control variate published with each version.
 * Version 0 is x0 = (W0, W1, b) = (0.5, -0.25, 0.125).
 */
class DriftAggregatorTest {
    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> openHarness(OperatorSubtaskState from)
            throws Exception {
        return harnesses.open(new ModelAggregator(TOPICS), from);
    }

    private static ModelSpec spec2(AggregationConfig.Builder c) {
        return spec(2).setAggregation(c.setClientsPerRound(2).build()).build();
    }

    private static float[] values(GlobalModel m) {
        return TensorRecords.fromRecords(m.getTensors()).flatten();
    }

    private static float[] control(GlobalModel m) {
        return TensorRecords.fromRecords(m.getControl()).flatten();
    }

    // FedAdam with Flower's defaults, eta = 0.1, beta1 = 0.9, beta2 = 0.99, tau = 1e-9, two clients a round.
    private static final ModelSpec FEDADAM = spec2(AggregationConfig.newBuilder().setServerOptimizer("fedadam"));

    private static void fedAdamRoundOne(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h)
            throws Exception {
        h.processElement(specEvent(FEDADAM, 0), T0);
        h.processElement(updateEvent(update("alice", 1, weights(0.2f, -0.4f, 0f)).build(), 1), T0 + 1);
        h.processElement(updateEvent(update("bob", 1, weights(0.6f, 0f, 0f)).build(), 2), T0 + 2);
    }

    private static void fedAdamRoundTwo(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h)
            throws Exception {
        h.processElement(updateEvent(update("alice", 1, weights(0f, 0.4f, 0f)).setUpdateId("u2-alice").setBaseVersion(1L)
                .build(), 3), T0 + 3);
        h.processElement(updateEvent(update("bob", 1, weights(0.8f, 0f, 0f)).setUpdateId("u2-bob").setBaseVersion(1L)
                .build(), 4), T0 + 4);
    }

    @Test
    void fedAdamKeepsItsMomentsAcrossRounds() throws Exception {
        var harness = openHarness(null);
        fedAdamRoundOne(harness);
        // Reddi et al. 2021, Algorithm 2, m_{-1} = 0, v_{-1} = tau^2:
        // Delta_1 = mean((0.2, -0.4, 0), (0.6, 0, 0)) = (0.4, -0.2, 0)
        // m_1 = 0.1 Delta_1 = (0.04, -0.02, 0); v_1 = 0.99 tau^2 + 0.01 Delta_1^2 ~ (0.0016, 0.0004, 1e-18)
        // x_1 = x_0 + 0.1 m_1 / (sqrt(v_1) + tau) = x_0 + 0.1 (1, -1, 0) = (0.6, -0.35, 0.125)
        PublishedRecords first = PublishedRecords.drain(harness, TOPICS);
        assertThat(first.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L);
        GlobalModel v1 = first.models().get(1);
        assertThat(values(v1)).containsExactly(new float[] {0.6f, -0.35f, 0.125f}, within(1e-6f));
        assertThat(v1.getControl()).isEmpty();

        fedAdamRoundTwo(harness);
        // Delta_2 = mean((0, 0.4, 0), (0.8, 0, 0)) = (0.4, 0.2, 0)
        // m_2 = 0.9 m_1 + 0.1 Delta_2 = (0.076, 0.002, 0)
        // v_2 = 0.99 v_1 + 0.01 Delta_2^2 = (0.003184, 0.000796, ~1e-18)
        // x_2 = x_1 + 0.1 m_2 / sqrt(v_2) = (0.6 + 0.0076/0.0564269, -0.35 + 0.0002/0.0282135, 0.125)
        //     = (0.734687, -0.342911, 0.125); with the moments lost it would be x_1 + 0.1 (1, 1, 0)
        GlobalModel v2 = PublishedRecords.drain(harness, TOPICS).models().get(0);
        assertThat(values(v2)).containsExactly(new float[] {0.734687f, -0.342911f, 0.125f}, within(1e-6f));
    }

    @Test
    void fedAdamRestoredFromASnapshotBetweenRoundsGivesTheSameBits() throws Exception {
        // Prepare: an uninterrupted run
        var straight = openHarness(null);
        fedAdamRoundOne(straight);
        fedAdamRoundTwo(straight);
        List<GlobalModel> straightModels = PublishedRecords.drain(straight, TOPICS).models();
        assertThat(straightModels).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L);
        GlobalModel expected = straightModels.get(2);

        // Execute: the same records, with a snapshot and restore between the rounds
        var before = openHarness(null);
        fedAdamRoundOne(before);
        OperatorSubtaskState snapshot = before.snapshot(1L, T0 + 2);
        var restored = openHarness(snapshot);
        fedAdamRoundTwo(restored);
        List<GlobalModel> models = PublishedRecords.drain(restored, TOPICS).models();

        // Assert: the optimizer's moments survived, so version 2 is bit for bit the uninterrupted one
        assertThat(models).extracting(GlobalModel::getVersion).containsExactly(2L);
        assertThat(models.get(0).getTensors()).isEqualTo(expected.getTensors());
        assertThat(models.get(0)).isEqualTo(expected);
    }

    @Test
    void fedNovaNormalisesByLocalSteps() throws Exception {
        var harness = openHarness(null);
        harness.processElement(specEvent(spec2(AggregationConfig.newBuilder().setAlgorithm("fednova")), 0), T0);
        GlobalModel v0 = PublishedRecords.drain(harness, TOPICS).models().get(0);
        assertThat(v0.getTraining().getAlgorithm()).isEqualTo("fednova");

        // alice: 1 step, delta (1, 0, 0); bob: 3 steps, delta (0, 3, 0); n = 1 each, rho = 0
        // Wang et al. 2020, eq. (6)-(7): p = (0.5, 0.5), a = (1, 3), tau_eff = 2,
        // coefficients tau_eff p_i / a_i = (1, 1/3): Delta = (1, 0, 0) + (0, 1, 0) = (1, 1, 0)
        // (FedAvg would give (0.5, 1.5, 0), pulled towards the busier bob)
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).setLocalSteps(1).build(), 1), T0 + 1);
        harness.processElement(updateEvent(update("bob", 1, weights(0f, 3f, 0f)).setLocalSteps(3).build(), 2), T0 + 2);
        PublishedRecords round = PublishedRecords.drain(harness, TOPICS);
        assertThat(values(round.models().get(0))).containsExactly(new float[] {1.5f, 0.75f, 0.125f}, within(1e-6f));
        assertThat(round.reports().get(0).getRule()).isEqualTo("fednova");
        assertThat(round.reports().get(0).getAccepted()).extracting(AcceptedUpdate::getWeight)
                .containsExactly(1.0, 1.0 / 3);
        assertThat(round.models().get(0).getProvenance().getRule()).isEqualTo("fednova");
    }

    @Test
    void fedNovaRejectsAnUpdateWithoutLocalSteps() throws Exception {
        var harness = openHarness(null);
        harness.processElement(specEvent(spec2(AggregationConfig.newBuilder().setAlgorithm("fednova")), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).setLocalSteps(0).build(), 1), T0 + 1);
        List<DeadLetter> dead = PublishedRecords.drain(harness, TOPICS).deadLetters();
        assertThat(dead).extracting(DeadLetter::getReason).containsExactly("INVALID_LOCAL_STEPS");
    }

    @Test
    void fedNovaRhoComesFromTheClientsMomentum() throws Exception {
        var harness = openHarness(null);
        ModelSpec s = spec(2).setAggregation(AggregationConfig.newBuilder().setClientsPerRound(2).setAlgorithm("fednova").build())
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setMomentum(0.9f).build()).build();
        harness.processElement(specEvent(s, 0), T0);
        GlobalModel v0 = PublishedRecords.drain(harness, TOPICS).models().get(0);
        assertThat(v0.getTraining().getAlgorithm()).isEqualTo("fednova:rho=0.9");
        assertThat(v0.getTraining().getMomentum()).isEqualTo(0.9f);
    }

    private static ModelUpdate.Builder scaffoldUpdate(String client, ModelWeights deltaY, ModelWeights deltaC) {
        return update(client, 1, deltaY).setControlDelta(TensorRecords.toRecords(deltaC));
    }

    @Test
    void scaffoldRoundMovesXByTheMeanDeltaAndCByTheControlDeltasOverN() throws Exception {
        // N = totalClients = 4, two clients a round
        var harness = openHarness(null);
        harness.processElement(specEvent(spec2(AggregationConfig.newBuilder().setAlgorithm("scaffold").setTotalClients(4)), 0), T0);
        GlobalModel v0 = PublishedRecords.drain(harness, TOPICS).models().get(0);
        assertThat(control(v0)).as("c starts at zero").containsExactly(0f, 0f, 0f);
        assertThat(v0.getTraining().getAlgorithm()).isEqualTo("scaffold");

        // Karimireddy et al. 2020, Algorithm 1, lines 16-17, eta_g = 1, equal n_i:
        // x_1 = x_0 + mean((1, 0, 0), (0, 2, 0)) = (0.5 + 0.5, -0.25 + 1, 0.125) = (1, 0.75, 0.125)
        // c_1 = 0 + (1/4) ((0.4, 0.8, 0) + (0.4, 0, -0.8)) = (0.2, 0.2, -0.2)
        harness.processElement(updateEvent(scaffoldUpdate("alice", weights(1f, 0f, 0f), weights(0.4f, 0.8f, 0f)).build(), 1), T0 + 1);
        harness.processElement(updateEvent(scaffoldUpdate("bob", weights(0f, 2f, 0f), weights(0.4f, 0f, -0.8f)).build(), 2), T0 + 2);
        GlobalModel v1 = PublishedRecords.drain(harness, TOPICS).models().get(0);
        assertThat(values(v1)).containsExactly(new float[] {1f, 0.75f, 0.125f}, within(1e-6f));
        assertThat(control(v1)).containsExactly(new float[] {0.2f, 0.2f, -0.2f}, within(1e-6f));

        // round 2 starts from c_1: c_2 = c_1 + (1/4) ((0.4, 0, 0) + (0, 0, 0.8)) = (0.3, 0.2, 0)
        harness.processElement(updateEvent(scaffoldUpdate("carol", weights(0f, 0f, 0f), weights(0.4f, 0f, 0f))
                .setBaseVersion(1L).build(), 3), T0 + 3);
        harness.processElement(updateEvent(scaffoldUpdate("dave", weights(0f, 0f, 0f), weights(0f, 0f, 0.8f))
                .setBaseVersion(1L).build(), 4), T0 + 4);
        GlobalModel v2 = PublishedRecords.drain(harness, TOPICS).models().get(0);
        assertThat(control(v2)).containsExactly(new float[] {0.3f, 0.2f, 0f}, within(1e-6f));
    }

    @Test
    void scaffoldRejectsMissingMisshapenOrNonFiniteControlDeltas() throws Exception {
        var harness = openHarness(null);
        harness.processElement(specEvent(spec2(AggregationConfig.newBuilder().setAlgorithm("scaffold")), 0), T0);
        PublishedRecords.drain(harness, TOPICS);

        harness.processElement(updateEvent(update("alice", 1, weights(1f, 0f, 0f)).build(), 1), T0 + 1);
        ModelWeights wrongLayout = new ModelWeights(List.of(weights(0f, 0f, 0f).tensors().get(0)));
        harness.processElement(updateEvent(scaffoldUpdate("bob", weights(1f, 0f, 0f), wrongLayout).build(), 2), T0 + 2);
        harness.processElement(updateEvent(scaffoldUpdate("carol", weights(1f, 0f, 0f), weights(Float.NaN, 0f, 0f)).build(), 3),
                T0 + 3);
        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);

        assertThat(out.models()).isEmpty();
        assertThat(out.deadLetters()).extracting(DeadLetter::getReason)
                .containsExactly("LAYOUT_MISMATCH", "LAYOUT_MISMATCH", "NON_FINITE_VALUES");
        assertThat(out.deadLetters()).allSatisfy(d -> assertThat(d.getDetail()).contains("control delta"));
    }
}
