package io.floe.schema;

import static io.floe.schema.SingleObjectRoundTrip.biasTensor;
import static io.floe.schema.SingleObjectRoundTrip.roundTrip;
import static io.floe.schema.SingleObjectRoundTrip.training;
import static io.floe.schema.SingleObjectRoundTrip.weightTensor;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalModelTest {

    @Test
    void roundTripsInSingleObjectEncoding() {
        // Prepare
        GlobalModel model = GlobalModel.newBuilder()
                .setModelId("wdbc-logreg")
                .setVersion(7L)
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_500_000L))
                .setArchitecture("logreg(30)")
                .setTensors(List.of(weightTensor(), biasTensor()))
                .setTraining(training())
                .setSelection(List.of("client-3", "client-9"))
                .setProvenance(Provenance.newBuilder()
                        .setRule("fedavg")
                        .setParentVersion(6L)
                        .setUpdateIds(List.of("u-1", "u-2", "u-3"))
                        .setSeed(1234L)
                        .build())
                .build();

        // Execute
        GlobalModel decoded = roundTrip(GlobalModel.getEncoder(), GlobalModel.getDecoder(), model);

        // Assert
        assertThat(decoded).isNotSameAs(model).isEqualTo(model);
        assertThat(decoded.getSelection()).containsExactly("client-3", "client-9");
        assertThat(decoded.getProvenance().getUpdateIds()).containsExactly("u-1", "u-2", "u-3");
        assertThat(decoded.getProvenance().getSeed()).isEqualTo(1234L);
    }

    @Test
    void roundTripsWithoutSelection() {
        // Prepare: null selection means every client is asked to train
        GlobalModel model = GlobalModel.newBuilder()
                .setModelId("m")
                .setVersion(0L)
                .setCreatedAt(Instant.ofEpochMilli(1L))
                .setArchitecture("logreg(2)")
                .setTensors(List.of(weightTensor()))
                .setTraining(training())
                .setProvenance(Provenance.newBuilder()
                        .setRule("fedavg").setParentVersion(-1L).setUpdateIds(List.of()).build())
                .build();

        // Execute
        GlobalModel decoded = roundTrip(GlobalModel.getEncoder(), GlobalModel.getDecoder(), model);

        // Assert
        assertThat(decoded).isEqualTo(model);
        assertThat(decoded.getSelection()).isNull();
        assertThat(decoded.getProvenance().getParentVersion()).isEqualTo(-1L);
        assertThat(decoded.getControl()).as("no SCAFFOLD control variate unless set").isEmpty();
    }
}
