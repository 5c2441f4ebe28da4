package io.floe.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.async.AsyncMode;
import io.floe.core.async.AsyncSettings;
import io.floe.core.async.FedAsyncMixing;
import io.floe.core.async.FedBuffAggregation;
import io.floe.core.async.StalenessFunction;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FedAsync's mixing and FedBuff's buffered step against values worked out by hand. */
class AsyncStepsTest {
    private static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);

    private static ModelWeights w(float... v) {
        return new ModelWeights(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static ClientUpdate u(String id, long base, long n, float... v) {
        return new ClientUpdate(id, "c-" + id, base, n, 1, w(v), Map.of("loss", 1.0));
    }

    private static AggregationConfig.Builder config(String mode) {
        return AggregationConfig.newBuilder().setMode(mode).setClientsPerRound(3);
    }

    private static ModelSpec spec(AggregationConfig c, ModelWeights w0) {
        return ModelSpec.newBuilder().setModelId("m").setArchitecture("logreg(1)").setInitialTensors(TensorRecords.toRecords(w0))
                .setAggregation(c)
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(1).setBatchSize(8).build())
                .setCreatedAt(T0).build();
    }

    private static GlobalModel version(ModelSpec spec, ModelWeights weights, long v) {
        return GlobalModel.newBuilder(ModelVersions.versionZero(spec, weights, T0)).setVersion(v).build();
    }

    @Test
    void fedAsyncMixesTheClientModelNotTheDelta() {
        // x_cur = (1, 2), x_base = (0, 0), Delta = (2, 2), alpha_t = 0.25:
        // (1 - 0.25) * (1, 2) + 0.25 * ((0, 0) + (2, 2)) = (0.75 + 0.5, 1.5 + 0.5) = (1.25, 2.0)
        ModelWeights mixed = FedAsyncMixing.mix(w(1f, 2f), w(0f, 0f), w(2f, 2f), 0.25);
        assertThat(mixed.tensors().get(0).values()).containsExactly(1.25f, 2.0f);
    }

    @Test
    void fedAsyncStepWeighsByStaleness() {
        // alpha = 0.6, polynomial a = 1: tau = 4 - 2 = 2 -> s = 1/3 -> alpha_t = 0.2
        // x_cur = (10), x_base = (4), Delta = (1): 0.8 * 10 + 0.2 * (4 + 1) = 8 + 1 = 9
        AggregationConfig c = config("fedasync").setStaleness("polynomial:a=1").setAsyncMixing(0.6).build();
        ModelSpec spec = spec(c, w(0f));
        ClosedRound step = new FedAsyncStep(w(4f)).close(RoundInput.of(version(spec, w(10f), 4), w(10f), spec, AggregationSettings.from(c),
                List.of(u("a", 2, 5, 1f)), List.of(), T0));

        assertThat(TensorRecords.fromRecords(step.model().getTensors()).tensors().get(0).values()[0]).isCloseTo(9f, within(1e-5f));
        assertThat(step.model().getVersion()).isEqualTo(5);
        assertThat(step.report().getMode()).isEqualTo("fedasync");
        assertThat(step.report().getStaleness()).containsExactly(entry("2", 1L));
        assertThat(step.report().getAccepted()).extracting(AcceptedUpdate::getWeight).satisfiesExactly(x -> assertThat(x).isCloseTo(0.2, within(1e-12)));
        assertThat(step.model().getProvenance().getUpdateIds()).containsExactly("a");
    }

    @Test
    void fedBuffWithFedAvgAndEqualCountsIsThePapersFormula() {
        // K = 3 at version 4, polynomial a = 1, eta_g = 1.5: s = 1, 1/2, 1/4 for tau = 0, 1, 3;
        // eta/K * sum s Delta = 0.5 * ((1,1) + 0.5 (2,0) + 0.25 (4,-4)) = 0.5 * (3, 0) = (1.5, 0)
        AggregationConfig c = config("fedbuff").setBufferSize(3).setStaleness("polynomial:a=1").setServerLearningRate(1.5).build();
        ModelSpec spec = spec(c, w(0f, 0f));
        List<ClientUpdate> buffer = List.of(u("b", 3, 5, 2f, 0f), u("a", 4, 5, 1f, 1f), u("c", 1, 5, 4f, -4f));
        ClosedRound closed = new FedBuffStep().close(RoundInput.of(version(spec, w(1f, 1f), 4), w(1f, 1f), spec, AggregationSettings.from(c),
                buffer, List.of(), T0));

        float[] next = TensorRecords.fromRecords(closed.model().getTensors()).tensors().get(0).values();
        assertThat(next[0]).isCloseTo(2.5f, within(1e-6f));
        assertThat(next[1]).isCloseTo(1.0f, within(1e-6f));
        ModelWeights reference = FedBuffAggregation.delta(buffer, 4, new StalenessFunction.Polynomial(1.0), 1.5);
        assertThat(next[0] - 1f).isCloseTo(reference.tensors().get(0).values()[0], within(1e-6f));
        assertThat(closed.report().getMode()).isEqualTo("fedbuff");
        assertThat(closed.report().getStaleness()).containsExactly(entry("0", 1L), entry("1", 1L), entry("3", 1L));
        assertThat(closed.model().getVersion()).isEqualTo(5);
    }

    @Test
    void fedBuffScalesEachDeltaByStalenessTimesItsClientsParticipationCorrection() {
        // version 4, polynomial a = 1, eta_g = 1, fedavg with n = 1 each.
        // a from 4 (tau 0, s = 1), c_a = 2:     1 * 2 * (1, 2)     = (2, 4)
        // b from 3 (tau 1, s = 1/2), c_b = 0.5: 0.5 * 0.5 * (4, -4) = (1, -1)
        // mean = (1.5, 1.5); x = (1, 1) + (1.5, 1.5) = (2.5, 2.5)   (without corrections: (2.5, 1))
        AggregationConfig c = config("fedbuff").setBufferSize(2).setStaleness("polynomial:a=1")
                .setParticipationWeighting("interval").build();
        ModelSpec spec = spec(c, w(0f, 0f));
        List<ClientUpdate> buffer = List.of(u("a", 4, 1, 1f, 2f), u("b", 3, 1, 4f, -4f));
        ClosedRound closed = new FedBuffStep().close(RoundInput.of(version(spec, w(1f, 1f), 4), w(1f, 1f), spec, AggregationSettings.from(c),
                buffer, List.of(), T0)
                .withParticipationCorrections(Map.of("c-a", 2.0, "c-b", 0.5)));

        float[] next = TensorRecords.fromRecords(closed.model().getTensors()).tensors().get(0).values();
        assertThat(next[0]).isCloseTo(2.5f, within(1e-6f));
        assertThat(next[1]).isCloseTo(2.5f, within(1e-6f));
        assertThat(closed.report().getParticipationWeights()).containsExactly(entry("c-a", 2.0), entry("c-b", 0.5));

        // the old overload: every c = 1, and the report has no participation weights
        ClosedRound plain = new FedBuffStep().close(RoundInput.of(version(spec, w(1f, 1f), 4), w(1f, 1f), spec, AggregationSettings.from(c),
                buffer, List.of(), T0));
        float[] unweighted = TensorRecords.fromRecords(plain.model().getTensors()).tensors().get(0).values();
        assertThat(unweighted[0]).isCloseTo(2.5f, within(1e-6f));
        assertThat(unweighted[1]).isCloseTo(1.0f, within(1e-6f));
        assertThat(plain.report().getParticipationWeights()).isEmpty();

        // a buffered client without a correction is a bug in the caller
        assertThatThrownBy(() -> new FedBuffStep().close(RoundInput.of(version(spec, w(1f, 1f), 4), w(1f, 1f), spec, AggregationSettings.from(c),
                buffer, List.of(), T0)
                .withParticipationCorrections(Map.of("c-a", 2.0))))
                .hasMessageContaining("participation correction of client c-b");
    }

    @Test
    void fedBuffAppliesTheModelsRobustRuleToTheBuffer() {
        // median of the staleness-weighted deltas (constant s): (1), (2), (100) -> 2; x = 0 + 2
        AggregationConfig c = config("fedbuff").setBufferSize(3).setStaleness("constant").setRule("median").build();
        ModelSpec spec = spec(c, w(0f));
        ClosedRound closed = new FedBuffStep().close(RoundInput.of(version(spec, w(0f), 7), w(0f), spec, AggregationSettings.from(c),
                List.of(u("a", 7, 1, 1f), u("b", 6, 1, 2f), u("c", 5, 1, 100f)), List.of(), T0));
        assertThat(TensorRecords.fromRecords(closed.model().getTensors()).tensors().get(0).values()[0]).isEqualTo(2f);
        assertThat(closed.report().getRule()).isEqualTo("median");
    }

    @Test
    void syncRoundsUseTheServerLearningRateAndCountLateUpdates() {
        // eta_g = 0.5, FedAvg of (2) and (4) with n = 1, 1 -> 3; x = 1 + 0.5 * 3 = 2.5
        AggregationConfig c = config("sync").setServerLearningRate(0.5).build();
        ModelSpec spec = spec(c, w(1f));
        List<RejectedUpdate> rejected = List.of(RejectedUpdate.newBuilder().setUpdateId("late").setClientId("x")
                .setReason(RejectionReason.LATE_UPDATE.name()).setDetail("late").build());
        ClosedRound closed = new ServerRound().close(RoundInput.of(version(spec, w(1f), 2), w(1f), spec, AggregationSettings.from(c),
                List.of(u("a", 2, 1, 2f), u("b", 2, 1, 4f)), rejected, T0));
        assertThat(TensorRecords.fromRecords(closed.model().getTensors()).tensors().get(0).values()[0]).isEqualTo(2.5f);
        assertThat(closed.report().getLateUpdates()).isEqualTo(1);
        assertThat(closed.report().getStaleness()).containsExactly(entry("0", 2L));
        assertThat(closed.report().getMode()).isEqualTo("sync");
    }

    @Test
    void admissionRejectsFutureAndTooStaleUpdates() {
        AsyncSettings s = AsyncSettings.from(config("fedbuff").setMaxStaleness(3).build());
        assertThat(s.admissionCheck(7, 10)).isEmpty();
        assertThat(s.admissionCheck(6, 10)).get().extracting(Rejection::reason).isEqualTo(RejectionReason.STALE_UPDATE);
        assertThat(s.admissionCheck(11, 10)).get().extracting(Rejection::reason).isEqualTo(RejectionReason.WRONG_BASE_VERSION);
        AsyncSettings unbounded = AsyncSettings.from(config("fedbuff").build());
        assertThat(unbounded.admissionCheck(0, 1000)).isEmpty();
        AsyncSettings fedAsync = AsyncSettings.from(config("fedasync").build());
        assertThat(fedAsync.admissionCheck(1000 - 64, 1000)).isEmpty();
        assertThat(fedAsync.admissionCheck(1000 - 65, 1000)).get().extracting(Rejection::detail).asString()
                .contains("keeps the last 64");
    }

    @Test
    void settingsRefuseWhatCannotWork() {
        assertThatThrownBy(() -> AggregationSettings.from(config("fedasync").setRule("median").build()))
                .hasMessageContaining("fedbuff");
        assertThatThrownBy(() -> AggregationSettings.from(config("fedbuff").setDpNoiseMultiplier(1.0).build()))
                .hasMessageContaining("central DP");
        assertThatThrownBy(() -> AggregationSettings.from(config("turbo").build())).hasMessageContaining("sync, fedasync or fedbuff");
        assertThatThrownBy(() -> AggregationSettings.from(config("fedbuff").setBufferSize(0).build())).hasMessageContaining("bufferSize");
        assertThatThrownBy(() -> AggregationSettings.from(config("fedasync").setAsyncMixing(1.5).build())).hasMessageContaining("alpha");
        assertThatThrownBy(() -> AggregationSettings.from(config("sync").setServerLearningRate(0).build()))
                .hasMessageContaining("serverLearningRate");
        assertThat(AsyncMode.parse("async-fedbuff")).isEqualTo(AsyncMode.FEDBUFF);
    }
}
