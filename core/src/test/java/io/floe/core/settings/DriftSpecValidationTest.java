package io.floe.core.settings;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.FedNova;
import io.floe.core.drift.ServerOptimizer;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spec-level checks of the drift algorithm and the server optimizer (issue 6, item 4): bad strings
 * and the combinations that make no sense are refused with a message that says why; the sensible
 * ones are accepted.
 */
class DriftSpecValidationTest {

    private static final ModelWeights INITIAL = new ModelWeights(List.of(
            new Tensor("W", new int[] {1, 2}, new float[] {0.5f, -0.5f}),
            new Tensor("b", new int[] {1}, new float[] {0f})));

    private static ModelSpec spec(UnaryOperator<AggregationConfig.Builder> aggregation,
            UnaryOperator<ClientTrainingConfig.Builder> training) {
        return ModelSpec.newBuilder()
                .setModelId("m")
                .setArchitecture("test-net(2)")
                .setInitialTensors(TensorRecords.toRecords(INITIAL))
                .setAggregation(aggregation.apply(AggregationConfig.newBuilder().setClientsPerRound(4)).build())
                .setTraining(training.apply(ClientTrainingConfig.newBuilder().setLearningRate(0.05f)).build())
                .setCreatedAt(Instant.ofEpochMilli(1L))
                .build();
    }

    private static ModelSpec spec(UnaryOperator<AggregationConfig.Builder> aggregation) {
        return spec(aggregation, t -> t);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("unknown algorithm", spec(a -> a.setAlgorithm("fedfoo")), "unknown drift algorithm 'fedfoo'"),
                Arguments.of("fedprox without mu", spec(a -> a.setAlgorithm("fedprox")), "fedprox needs mu"),
                Arguments.of("unknown optimizer", spec(a -> a.setServerOptimizer("fedsgd")), "serverOptimizer: unknown server optimizer"),
                Arguments.of("optimizer option", spec(a -> a.setServerOptimizer("fedadam:lr=0.1")), "unknown option 'lr'"),
                Arguments.of("optimizer eta", spec(a -> a.setServerOptimizer("fedadam:eta=-1")), "fedadam needs eta > 0"),
                Arguments.of("two etas", spec(a -> a.setServerOptimizer("fedadam:eta=0.01").setServerLearningRate(0.5)),
                        "has its own eta"),
                Arguments.of("fedavg eta twice", spec(a -> a.setServerOptimizer("fedavg:eta=0.5").setServerLearningRate(2)),
                        "both set eta_g"),
                Arguments.of("scaffold with median", spec(a -> a.setAlgorithm("scaffold").setRule("median")),
                        "algorithm scaffold needs rule fedavg"),
                Arguments.of("fednova with trimmed mean", spec(a -> a.setAlgorithm("fednova").setRule("trimmed-mean")),
                        "algorithm fednova needs rule fedavg"),
                Arguments.of("scaffold with central DP", spec(a -> a.setAlgorithm("scaffold").setDpNoiseMultiplier(1.0)),
                        "cannot run with central DP"),
                Arguments.of("fednova with central DP", spec(a -> a.setAlgorithm("fednova").setDpNoiseMultiplier(1.0)),
                        "cannot run with central DP"),
                Arguments.of("scaffold with fedasync", spec(a -> a.setAlgorithm("scaffold").setMode("fedasync")), "use mode sync"),
                Arguments.of("fednova with fedasync", spec(a -> a.setAlgorithm("fednova").setMode("fedasync")), "use mode sync or fedbuff"),
                Arguments.of("scaffold with fedbuff", spec(a -> a.setAlgorithm("scaffold").setMode("fedbuff")),
                        "algorithm scaffold needs mode sync"),
                Arguments.of("optimizer with fedasync", spec(a -> a.setServerOptimizer("fedyogi").setMode("fedasync")),
                        "takes no server step"),
                Arguments.of("rho against momentum", spec(a -> a.setAlgorithm("fednova:rho=0.5"), t -> t.setMomentum(0.9f)),
                        "drop rho or make them equal"),
                Arguments.of("momentum 1", spec(a -> a, t -> t.setMomentum(1f)), "momentum must be in [0, 1)"),
                Arguments.of("training algorithm differs", spec(a -> a.setAlgorithm("scaffold"), t -> t.setAlgorithm("fedprox:mu=0.1")),
                        "differs from aggregation algorithm"),
                Arguments.of("N below a round", spec(a -> a.setAlgorithm("scaffold").setTotalClients(3)), "totalClients"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithAMessageThatSaysWhy(String what, ModelSpec spec, String message) {
        SpecValidator.Result result = SpecValidator.validate(spec);

        assertThat(result).isInstanceOf(SpecValidator.Result.Invalid.class);
        Rejection rejection = ((SpecValidator.Result.Invalid) result).rejection();
        assertThat(rejection.reason()).isEqualTo(RejectionReason.INVALID_SPEC);
        assertThat(rejection.detail()).contains(message);
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("fedprox with central DP (a local objective only)",
                        spec(a -> a.setAlgorithm("fedprox:mu=0.01").setDpNoiseMultiplier(1.0))),
                Arguments.of("fedadam with central DP (post-processing)", spec(a -> a.setServerOptimizer("fedadam").setDpNoiseMultiplier(1.0))),
                Arguments.of("fednova with fedbuff", spec(a -> a.setAlgorithm("fednova").setMode("fedbuff"))),
                Arguments.of("fedadam with fedbuff", spec(a -> a.setServerOptimizer("fedadam").setMode("fedbuff"))),
                Arguments.of("fedprox with fedasync", spec(a -> a.setAlgorithm("fedprox:mu=0.1").setMode("fedasync"))),
                Arguments.of("training algorithm repeated", spec(a -> a.setAlgorithm("fednova"),
                        t -> t.setMomentum(0.9f).setAlgorithm("FedNova:rho=0.9"))),
                Arguments.of("scaffold with N", spec(a -> a.setAlgorithm("scaffold").setTotalClients(100))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void sensibleCombinationsAreAccepted(String what, ModelSpec spec) {
        assertThat(SpecValidator.validate(spec)).isInstanceOf(SpecValidator.Result.Valid.class);
    }

    @Test
    void settingsCarryTheAlgorithmTheOptimizerAndTheEffectiveEta() {
        AggregationSettings nova = AggregationSettings.from(spec(a -> a.setAlgorithm("fednova"), t -> t.setMomentum(0.9f)));
        assertThat(nova.drift().algorithm()).isEqualTo(DriftAlgorithm.fedNova(0.9));
        assertThat(nova.robustness().rule()).isInstanceOf(FedNova.class);
        assertThat(((FedNova) nova.robustness().rule()).localMomentum()).isEqualTo(0.9);

        AggregationSettings adam = AggregationSettings.from(spec(a -> a.setServerOptimizer("FedAdam:eta=0.01")));
        assertThat(adam.drift().serverOptimizer()).isEqualTo(new ServerOptimizer.FedAdam(0.01, 0.9, 0.99, 1e-9));
        assertThat(adam.drift().serverLearningRate()).isEqualTo(1.0);

        // fedavg:eta=E is another way to write serverLearningRate E
        AggregationSettings eta = AggregationSettings.from(spec(a -> a.setServerOptimizer("fedavg:eta=0.5")));
        assertThat(eta.drift().serverLearningRate()).isEqualTo(0.5);
        assertThat(eta.drift().serverOptimizer()).isEqualTo(new ServerOptimizer.FedAvg(0.5));

        // SCAFFOLD's N: clientsPerRound unless totalClients says otherwise
        assertThat(AggregationSettings.from(spec(a -> a.setAlgorithm("scaffold"))).drift().scaffoldClients()).isEqualTo(4);
        assertThat(AggregationSettings.from(spec(a -> a.setAlgorithm("scaffold").setTotalClients(10))).drift().scaffoldClients()).isEqualTo(10);
    }
}
