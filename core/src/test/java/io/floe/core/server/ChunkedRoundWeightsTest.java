package io.floe.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.settings.AggregationSettings;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ModelUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkedRoundWeightsTest {

    private static ModelUpdate header(String id, long n, int steps) {
        return ModelUpdate.newBuilder().setUpdateId(id).setModelId("m").setClientId("c-" + id).setBaseVersion(0).setNumExamples(n)
                .setLocalSteps(steps).setCreatedAt(Instant.EPOCH).setTensors(List.of()).setMetrics(Map.of()).build();
    }

    @Test
    void fedAvgWeighsByExamplesInUpdateIdOrder() {
        ChunkedRoundWeights w = ChunkedRoundWeights.of(List.of(header("b", 10, 1), header("a", 30, 1)),
                AggregationSettings.from(AggregationConfig.newBuilder().setRule("fedavg").setServerLearningRate(0.5).build()));
        assertThat(w.ids()).containsExactly("a", "b");
        assertThat(w.weights()).containsExactly(30L, 10L);
        assertThat(w.total()).isEqualTo(40L);
        assertThat(w.scale()).isEqualTo(0.5);
        assertThat(w.reported()).containsExactly(0.75, 0.25);
    }

    @Test
    void fedNovaScalesByTheEffectiveStepsByHand() {
        // p = (0.75, 0.25), a = tau = (2, 8): tau_eff = 0.75 * 2 + 0.25 * 8 = 3.5; reported tau_eff p_i / a_i
        ChunkedRoundWeights w = ChunkedRoundWeights.of(List.of(header("a", 30, 2), header("b", 10, 8)),
                AggregationSettings.from(AggregationConfig.newBuilder().setRule("fedavg").setAlgorithm("fednova").build()));
        assertThat(w.scale()).isEqualTo(3.5);
        assertThat(w.reported()).containsExactly(1.3125, 0.109375);
    }

    @Test
    void trimmedMeanIsUnweightedAndTrimsFloorBetaK() {
        ChunkedRoundWeights w = ChunkedRoundWeights.of(List.of(header("a", 1, 1), header("b", 2, 1), header("c", 3, 1),
                header("d", 4, 1), header("e", 5, 1)), AggregationSettings.from(AggregationConfig.newBuilder()
                .setRule("trimmed-mean").setTrimFraction(0.2).setClientsPerRound(5).build()));
        assertThat(w.rule()).isEqualTo("trimmed-mean");
        assertThat(w.trimPerSide()).isEqualTo(1);
        assertThat(w.reported()).containsOnly(0.2);
    }
}
