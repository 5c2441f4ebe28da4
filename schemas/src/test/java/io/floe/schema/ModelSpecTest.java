package io.floe.schema;

import static io.floe.schema.SingleObjectRoundTrip.aggregation;
import static io.floe.schema.SingleObjectRoundTrip.biasTensor;
import static io.floe.schema.SingleObjectRoundTrip.roundTrip;
import static io.floe.schema.SingleObjectRoundTrip.training;
import static io.floe.schema.SingleObjectRoundTrip.weightTensor;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

    @Test
    void roundTripsInSingleObjectEncoding() {
        // Prepare
        ModelSpec spec = ModelSpec.newBuilder()
                .setModelId("wdbc-logreg")
                .setArchitecture("logreg(30)")
                .setInitialTensors(List.of(weightTensor(), biasTensor()))
                .setInitSeed(42L)
                .setAggregation(aggregation())
                .setTraining(training())
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .build();

        // Execute
        ModelSpec decoded = roundTrip(ModelSpec.getEncoder(), ModelSpec.getDecoder(), spec);

        // Assert
        assertThat(decoded).isNotSameAs(spec).isEqualTo(spec);
        assertThat(decoded.getInitSeed()).isEqualTo(42L);
        assertThat(decoded.getAggregation().getClientsPerRound()).isEqualTo(4);
        assertThat(decoded.getTraining().getLearningRate()).isEqualTo(0.05f);
        assertThat(decoded.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(decoded.getInitialTensors().get(0).getShape()).containsExactly(2, 1);
    }

    @Test
    void defaultsOfNestedConfigsAreTheDocumentedOnes() {
        // Execute
        AggregationConfig aggregation = AggregationConfig.newBuilder().build();
        ClientTrainingConfig training = ClientTrainingConfig.newBuilder().build();

        // Assert
        assertThat(aggregation.getRule()).isEqualTo("fedavg");
        assertThat(aggregation.getClientsPerRound()).isEqualTo(10);
        assertThat(training.getLearningRate()).isEqualTo(0.1f);
        assertThat(training.getLocalEpochs()).isEqualTo(1);
        assertThat(training.getBatchSize()).isEqualTo(32);
        // drift algorithms (issue 6): everything off by default, so older specs keep FedAvg
        assertThat(aggregation.getAlgorithm()).isEqualTo("fedavg");
        assertThat(aggregation.getServerOptimizer()).isEqualTo("fedavg");
        assertThat(aggregation.getTotalClients()).isZero();
        assertThat(training.getMomentum()).isZero();
        assertThat(training.getAlgorithm()).isEqualTo("fedavg");
    }
}
