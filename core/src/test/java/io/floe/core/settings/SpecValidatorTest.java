package io.floe.core.settings;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {

    private static final ModelWeights INITIAL = new ModelWeights(List.of(
            new Tensor("dense0.W", new int[] {2, 1}, new float[] {0.5f, -0.5f}),
            new Tensor("dense0.b", new int[] {1}, new float[] {0f})));

    private static ModelSpec.Builder validSpec() {
        return ModelSpec.newBuilder()
                .setModelId("wdbc-logreg")
                .setArchitecture("logreg(2)")
                .setInitialTensors(TensorRecords.toRecords(INITIAL))
                .setInitSeed(3L)
                .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(2).build())
                .setTraining(ClientTrainingConfig.newBuilder()
                        .setLearningRate(0.05f).setLocalEpochs(2).setBatchSize(16).build())
                .setCreatedAt(Instant.ofEpochMilli(1L));
    }

    private static Rejection invalid(ModelSpec spec) {
        SpecValidator.Result result = SpecValidator.validate(spec);
        assertThat(result).isInstanceOf(SpecValidator.Result.Invalid.class);
        Rejection rejection = ((SpecValidator.Result.Invalid) result).rejection();
        assertThat(rejection.reason()).isEqualTo(RejectionReason.INVALID_SPEC);
        return rejection;
    }

    private static ClientTrainingConfig.Builder training() {
        return ClientTrainingConfig.newBuilder().setLearningRate(0.05f).setLocalEpochs(2).setBatchSize(16);
    }

    @Test
    void validSpecGivesTheDecodedInitialWeights() {
        // Execute
        SpecValidator.Result result = SpecValidator.validate(validSpec().build());

        // Assert
        assertThat(result).isInstanceOf(SpecValidator.Result.Valid.class);
        assertThat(((SpecValidator.Result.Valid) result).initialWeights()).isEqualTo(INITIAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void blankModelIdIsInvalid(String modelId) {
        // Execute
        Rejection rejection = invalid(validSpec().setModelId(modelId).build());

        // Assert
        assertThat(rejection.detail()).contains("modelId");
    }

    @Test
    void aKnownArchitectureMustCarryItsOwnTensorsAndAnUnknownOneStaysOpaque() {
        Rejection shape = invalid(validSpec().setArchitecture("logreg(3)").build());
        assertThat(shape.detail()).contains("logreg(3)").contains("dense0.W [3, 1]").contains("dense0.W [2, 1]");
        Rejection count = invalid(validSpec().setArchitecture("mlp(2,4,1)").build());
        assertThat(count.detail()).contains("4 tensors");
        assertThat(SpecValidator.validate(validSpec().setArchitecture("my-own-net(v2)").build()))
                .as("a descriptor floe does not know is its trainers' business").isInstanceOf(SpecValidator.Result.Valid.class);
    }

    @Test
    void blankArchitectureIsInvalid() {
        // Execute
        Rejection rejection = invalid(validSpec().setArchitecture("").build());

        // Assert
        assertThat(rejection.detail()).contains("architecture");
    }

    @Test
    void krumWithTooFewClientsForItsFIsInvalid() {
        ModelSpec spec = validSpec()
                .setAggregation(AggregationConfig.newBuilder().setRule("krum").setClientsPerRound(4).setByzantineClients(1).build())
                .build();

        Rejection rejection = invalid(spec);

        assertThat(rejection.detail()).contains("Krum needs clientsPerRound > 2f + 2");
    }

    @Test
    void bulyanNeedsFourFPlusThreeClientsPerRound() {
        AggregationConfig.Builder bulyan = AggregationConfig.newBuilder().setRule("bulyan").setByzantineClients(1);

        Rejection rejection = invalid(validSpec().setAggregation(bulyan.setClientsPerRound(6).build()).build());
        SpecValidator.Result seven = SpecValidator.validate(validSpec().setAggregation(bulyan.setClientsPerRound(7).build()).build());

        assertThat(rejection.detail()).contains("Bulyan needs clientsPerRound >= 4f + 3", "got 6 updates with f = 1");
        assertThat(seven).isNotInstanceOf(SpecValidator.Result.Invalid.class);
    }

    @Test
    void anUnknownCompressionIsInvalid() {
        ModelSpec spec = validSpec().setTraining(training().setCompression("topk:ratio=2").build()).build();

        assertThat(invalid(spec).detail()).contains("training compression", "(0, 1]");
    }

    @Test
    void unknownAnomalyPolicyIsInvalid() {
        ModelSpec spec = validSpec()
                .setAggregation(AggregationConfig.newBuilder().setRule("median").setClientsPerRound(5).setAnomalyPolicy("ignore").build())
                .build();

        Rejection rejection = invalid(spec);

        assertThat(rejection.detail()).contains("aggregation config").contains("flag, downweight or reject");
    }

    @Test
    void unknownRuleIsInvalidAndNamesTheKnownOnes() {
        // Prepare
        ModelSpec spec = validSpec()
                .setAggregation(AggregationConfig.newBuilder().setRule("geomed").setClientsPerRound(2).build())
                .build();

        // Execute
        Rejection rejection = invalid(spec);

        // Assert
        assertThat(rejection.detail()).contains("'geomed'").contains("fedavg");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -3})
    void clientsPerRoundBelowOneIsInvalid(int clientsPerRound) {
        // Prepare
        ModelSpec spec = validSpec()
                .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clientsPerRound).build())
                .build();

        // Execute
        Rejection rejection = invalid(spec);

        // Assert
        assertThat(rejection.detail()).contains("clientsPerRound").contains(Integer.toString(clientsPerRound));
    }

    @ParameterizedTest
    @ValueSource(floats = {0f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY})
    void learningRateThatIsNotPositiveAndFiniteIsInvalid(float learningRate) {
        // Prepare
        ModelSpec spec = validSpec().setTraining(training().setLearningRate(learningRate).build()).build();

        // Execute
        Rejection rejection = invalid(spec);

        // Assert
        assertThat(rejection.detail()).contains("learningRate");
    }

    @Test
    void localEpochsBelowOneIsInvalid() {
        // Prepare
        ModelSpec spec = validSpec().setTraining(training().setLocalEpochs(0).build()).build();

        // Execute
        Rejection rejection = invalid(spec);

        // Assert
        assertThat(rejection.detail()).contains("localEpochs");
    }

    @Test
    void batchSizeBelowOneIsInvalid() {
        // Prepare
        ModelSpec spec = validSpec().setTraining(training().setBatchSize(0).build()).build();

        // Execute
        Rejection rejection = invalid(spec);

        // Assert
        assertThat(rejection.detail()).contains("batchSize");
    }

    @Test
    void noInitialTensorsIsInvalid() {
        // Execute
        Rejection rejection = invalid(validSpec().setInitialTensors(List.of()).build());

        // Assert
        assertThat(rejection.detail()).contains("initialTensors");
    }

    @Test
    void malformedInitialTensorIsInvalid() {
        // Prepare: dense0.W is 2x1 and needs 8 bytes
        List<io.floe.schema.Tensor> tensors = TensorRecords.toRecords(INITIAL);
        tensors.get(0).setData(ByteBuffer.wrap(new byte[4]));

        // Execute
        Rejection rejection = invalid(validSpec().setInitialTensors(tensors).build());

        // Assert
        assertThat(rejection.detail()).contains("'dense0.W'");
    }

    @Test
    void duplicateInitialTensorNameIsInvalid() {
        // Prepare
        io.floe.schema.Tensor b = TensorRecords.toRecord(Tensor.zeros("b", 1));

        // Execute
        Rejection rejection = invalid(validSpec().setInitialTensors(List.of(b, b)).build());

        // Assert
        assertThat(rejection.detail()).contains("duplicate");
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.NEGATIVE_INFINITY})
    void nonFiniteInitialWeightIsInvalid(float bad) {
        // Prepare
        List<io.floe.schema.Tensor> tensors = TensorRecords.toRecords(new ModelWeights(List.of(
                new Tensor("W", new int[] {1, 2}, new float[] {bad, 0f}), Tensor.zeros("b", 1))));

        // Execute
        Rejection rejection = invalid(validSpec().setInitialTensors(tensors).build());

        // Assert
        assertThat(rejection.detail()).contains("'W'").contains("NaN or infinite");
    }

    @Test
    void chunkedModelsTakeTheRulesOfTheShardedPathAndSayWhatIsNotOnItYet() {
        ModelSpec.Builder zeros = validSpec().setArchitecture("test-net(1000)").setInitialTensors(List.of(
                io.floe.schema.Tensor.newBuilder().setName("w").setShape(List.of(1000)).setData(java.nio.ByteBuffer.allocate(0)).build()));
        java.util.function.Function<AggregationConfig.Builder, ModelSpec> chunked = a -> zeros.setAggregation(a.setChunkBytes(1024).build())
                .build();

        assertThat(SpecValidator.validate(chunked.apply(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(2))))
                .isInstanceOf(SpecValidator.Result.Valid.class);
        assertThat(SpecValidator.validate(chunked.apply(AggregationConfig.newBuilder().setRule("median").setClientsPerRound(3))))
                .isInstanceOf(SpecValidator.Result.Valid.class);
        for (String rule : List.of("krum", "multi-krum", "bulyan")) {
            assertThat(SpecValidator.validate(chunked.apply(AggregationConfig.newBuilder().setRule(rule).setClientsPerRound(7))))
                    .as(rule + ": selected from the chunks' partial distances").isInstanceOf(SpecValidator.Result.Valid.class);
        }
        assertThat(invalid(chunked.apply(AggregationConfig.newBuilder().setRule("fedavg").setMode("fedbuff").setClientsPerRound(2)))
                .detail()).contains("mode fedbuff");
        assertThat(invalid(zeros.setAggregation(AggregationConfig.newBuilder().setChunkBytes(1026).build()).build()).detail())
                .contains("multiple of 4");
        zeros.setTraining(training().build());
        assertThat(SpecValidator.validate(chunked.apply(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(3)
                .setDpNoiseMultiplier(1.0).setDpClipNorm(1.0)))).as("DP-FedAvg per chunk").isInstanceOf(SpecValidator.Result.Valid.class);
        assertThat(invalid(chunked.apply(AggregationConfig.newBuilder().setRule("median").setClientsPerRound(3)
                .setDpNoiseMultiplier(1.0).setDpClipNorm(1.0))).detail()).contains("central DP needs rule fedavg");
        for (String compression : new String[] {"topk:ratio=0.01", "fp16", "int8"}) {
            assertThat(SpecValidator.validate(zeros.setAggregation(AggregationConfig.newBuilder().setChunkBytes(1024).build())
                    .setTraining(training().setCompression(compression).build()).build())).as(compression)
                    .isInstanceOf(SpecValidator.Result.Valid.class);
        }
    }
}
