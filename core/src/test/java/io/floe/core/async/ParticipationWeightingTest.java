package io.floe.core.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.settings.AggregationSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.settings.SpecValidator;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing {@code participationWeighting} and refusing it outside FedBuff. */
class ParticipationWeightingTest {

    private static AggregationConfig.Builder config(String mode, String weighting) {
        return AggregationConfig.newBuilder().setMode(mode).setClientsPerRound(3).setParticipationWeighting(weighting);
    }

    @Test
    void parsesNoneAndIntervalWithItsCap() {
        assertThat(ParticipationWeighting.parse("none")).isEqualTo(ParticipationWeighting.none());
        assertThat(ParticipationWeighting.parse(null)).isEqualTo(ParticipationWeighting.none());
        assertThat(ParticipationWeighting.parse("interval")).isEqualTo(ParticipationWeighting.interval(100));
        assertThat(ParticipationWeighting.parse(" Interval:cap=50 ")).isEqualTo(ParticipationWeighting.interval(50));
        assertThat(ParticipationWeighting.interval(50).toSpec()).isEqualTo("interval:cap=50");
        assertThat(ParticipationWeighting.none().toSpec()).isEqualTo("none");
        // the schema's default is none
        assertThat(AsyncSettings.from(AggregationConfig.newBuilder().setMode("fedbuff").build()).participationWeighting())
                .isEqualTo(ParticipationWeighting.none());
        assertThat(AsyncSettings.from(config("fedbuff", "interval:cap=7").build()).participationWeighting())
                .isEqualTo(ParticipationWeighting.interval(7));
    }

    @Test
    void refusesMalformedSpecsNamingTheField() {
        assertThatThrownBy(() -> ParticipationWeighting.parse("inverse-rate")).hasMessageContaining("participationWeighting")
                .hasMessageContaining("none or interval[:cap=C]");
        assertThatThrownBy(() -> ParticipationWeighting.parse("interval:cap=0")).hasMessageContaining("participationWeighting")
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> ParticipationWeighting.parse("interval:cap=2.5")).hasMessageContaining("participationWeighting cap");
        assertThatThrownBy(() -> ParticipationWeighting.parse("interval:window=5")).hasMessageContaining("participationWeighting option");
        assertThatThrownBy(() -> ParticipationWeighting.parse("interval:cap")).hasMessageContaining("participationWeighting option");
        assertThatThrownBy(() -> AggregationSettings.from(config("fedbuff", "interval:cap=-1").build()))
                .hasMessageContaining("participationWeighting");
    }

    @Test
    void refusesParticipationWeightingOutsideFedBuff() {
        assertThatThrownBy(() -> AggregationSettings.from(config("sync", "interval").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("participationWeighting interval:cap=100 applies to mode fedbuff only");
        assertThatThrownBy(() -> AggregationSettings.from(config("fedasync", "interval:cap=5").build()))
                .hasMessageContaining("mode fedbuff only").hasMessageContaining("fedasync");
        assertThat(AggregationSettings.from(config("sync", "none").build()).async().participationWeighting().enabled()).isFalse();

        // the job refuses such a spec as invalid, with the settings' message
        ModelSpec spec = ModelSpec.newBuilder().setModelId("m").setArchitecture("test-net(1)").setInitSeed(1L)
                .setInitialTensors(TensorRecords.toRecords(new ModelWeights(List.of(new Tensor("w", new int[] {1}, new float[] {0f})))))
                .setAggregation(config("sync", "interval").build())
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(1).setBatchSize(8).build())
                .setCreatedAt(Instant.EPOCH).build();
        assertThat(SpecValidator.validate(spec)).isInstanceOfSatisfying(SpecValidator.Result.Invalid.class,
                invalid -> assertThat(invalid.rejection().detail()).contains("participationWeighting").contains("fedbuff"));
    }
}
