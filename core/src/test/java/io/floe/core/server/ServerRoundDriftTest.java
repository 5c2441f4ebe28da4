package io.floe.core.server;

import io.floe.core.settings.AggregationSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.drift.OptimizerState;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ServerRound with a server optimizer and with SCAFFOLD: state in and out, control in the model. */
class ServerRoundDriftTest {
    private static final Instant T = Instant.ofEpochMilli(1_700_000_000_000L);

    private static ModelWeights w(float a, float b) {
        return new ModelWeights(List.of(new Tensor("W", new int[] {2}, new float[] {a, b})));
    }

    private static ModelSpec spec(AggregationConfig.Builder c) {
        return ModelSpec.newBuilder().setModelId("m").setArchitecture("logreg(2)")
                .setInitialTensors(TensorRecords.toRecords(w(0f, 0f)))
                .setAggregation(c.setClientsPerRound(2).build())
                .setTraining(ClientTrainingConfig.newBuilder().build())
                .setCreatedAt(T).build();
    }

    private static ClientUpdate u(String id, ModelWeights delta) {
        return new ClientUpdate(id, "client-" + id, 0L, 1L, 1, delta, Map.of());
    }

    @Test
    void fedAvgMStepsFromTheStateItIsGivenAndReturnsTheNextOne() {
        // FedAvgM, eta = 1, beta = 0.5: m_0 = Delta_0 = (1, 0); then m_1 = 0.5 m_0 + Delta_1 = (0.5, 2), x_2 = x_1 + m_1
        ModelSpec spec = spec(AggregationConfig.newBuilder().setServerOptimizer("fedavgm:beta=0.5"));
        AggregationSettings settings = AggregationSettings.from(spec);
        GlobalModel v0 = ModelVersions.versionZero(spec, w(0f, 0f), T);
        ClosedRound r1 = new ServerRound().close(RoundInput.of(v0, w(0f, 0f), spec, settings,
                List.of(u("a", w(2f, 0f)), u("b", w(0f, 0f))), List.of(), T));
        assertThat(TensorRecords.fromRecords(r1.model().getTensors()).flatten()).containsExactly(1f, 0f);
        assertThat(r1.optimizerState().asWeights().flatten()).containsExactly(1f, 0f);

        ModelWeights x1 = TensorRecords.fromRecords(r1.model().getTensors());
        ClosedRound r2 = new ServerRound().close(RoundInput.of(r1.model(), x1, spec, settings,
                List.of(u("c", w(0f, 4f)), u("d", w(0f, 0f))), List.of(), T)
                .withOptimizerState(OptimizerState.restore(r1.optimizerState().asWeights())));
        assertThat(TensorRecords.fromRecords(r2.model().getTensors()).flatten()).containsExactly(1.5f, 2f);
        assertThat(r2.optimizerState().asWeights().flatten()).containsExactly(0.5f, 2f);
    }

    @Test
    void aRoundWithEveryUpdateRejectedKeepsTheModelAndTheMoments() {
        // anomaly policy reject with cosine threshold 1: (1, 0) and (0, 1) are at cosine 0.707 to their
        // median (0.5, 0.5), so both are rejected and Delta = 0; FedAdam would still move x by its momentum
        ModelSpec spec = spec(AggregationConfig.newBuilder().setServerOptimizer("fedadam").setAnomalyPolicy("reject")
                .setCosineThreshold(1.0));
        AggregationSettings settings = AggregationSettings.from(spec);
        GlobalModel v0 = ModelVersions.versionZero(spec, w(0.5f, 0.5f), T);
        OptimizerState before = settings.drift().serverOptimizer().initialState(w(0.5f, 0.5f));
        ClosedRound r = new ServerRound().close(RoundInput.of(v0, w(0.5f, 0.5f), spec, settings,
                List.of(u("a", w(1f, 0f)), u("b", w(0f, 1f))), List.of(), T)
                .withOptimizerState(before));

        assertThat(r.report().getRule()).isEqualTo("none");
        assertThat(TensorRecords.fromRecords(r.model().getTensors())).isEqualTo(w(0.5f, 0.5f));
        assertThat(r.optimizerState()).isEqualTo(before);
    }

    @Test
    void scaffoldCarriesCAndNeedsEveryControlDelta() {
        ModelSpec spec = spec(AggregationConfig.newBuilder().setAlgorithm("scaffold"));
        AggregationSettings settings = AggregationSettings.from(spec);
        GlobalModel v0 = ModelVersions.versionZero(spec, w(0f, 0f), T);
        assertThat(TensorRecords.fromRecords(v0.getControl())).isEqualTo(w(0f, 0f));

        // N = clientsPerRound = 2: c_1 = 0 + (1/2)((1, 0) + (0, 3)) = (0.5, 1.5); x_1 = mean((2, 0), (0, 2)) = (1, 1)
        ClosedRound r = new ServerRound().close(RoundInput.of(v0, w(0f, 0f), spec, settings,
                List.of(u("a", w(2f, 0f)), u("b", w(0f, 2f))), List.of(), T)
                .withControlDeltas(Map.of("a", w(1f, 0f), "b", w(0f, 3f))));
        assertThat(TensorRecords.fromRecords(r.model().getTensors()).flatten()).containsExactly(new float[] {1f, 1f}, within(0f));
        assertThat(TensorRecords.fromRecords(r.model().getControl()).flatten()).containsExactly(0.5f, 1.5f);
        assertThat(r.model().getTraining().getAlgorithm()).isEqualTo("scaffold");

        assertThatThrownBy(() -> new ServerRound().close(RoundInput.of(v0, w(0f, 0f), spec, settings,
                List.of(u("a", w(2f, 0f)), u("b", w(0f, 2f))), List.of(), T)
                .withControlDeltas(Map.of("a", w(1f, 0f)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("update b carries no control delta");
    }
}
