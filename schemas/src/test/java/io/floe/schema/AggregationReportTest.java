package io.floe.schema;

import static io.floe.schema.SingleObjectRoundTrip.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AggregationReportTest {

    @Test
    void roundTripsInSingleObjectEncoding() {
        // Prepare
        AggregationReport report = AggregationReport.newBuilder()
                .setModelId("wdbc-logreg")
                .setVersion(3L)
                .setBaseVersion(2L)
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_900_001L))
                .setRule("fedavg")
                .setAccepted(List.of(
                        AcceptedUpdate.newBuilder()
                                .setUpdateId("u-a").setClientId("alice").setNumExamples(3L).setWeight(0.75).build(),
                        AcceptedUpdate.newBuilder()
                                .setUpdateId("u-b").setClientId("bob").setNumExamples(1L).setWeight(0.25).build()))
                .setRejected(List.of(
                        RejectedUpdate.newBuilder()
                                .setUpdateId("u-c").setClientId("carol")
                                .setReason("WRONG_BASE_VERSION").setDetail("late").build(),
                        RejectedUpdate.newBuilder()
                                .setUpdateId(null).setClientId(null)
                                .setReason("MISSING_ID").setDetail("no ids").build()))
                .setClientMetrics(Map.of("loss", 0.25, "accuracy", 0.875))
                .build();

        // Execute
        AggregationReport decoded = roundTrip(AggregationReport.getEncoder(), AggregationReport.getDecoder(), report);

        // Assert
        assertThat(decoded).isNotSameAs(report).isEqualTo(report);
        assertThat(decoded.getAccepted()).extracting(AcceptedUpdate::getWeight).containsExactly(0.75, 0.25);
        assertThat(decoded.getRejected().get(1).getUpdateId()).isNull();
        assertThat(decoded.getClientMetrics()).containsExactlyInAnyOrderEntriesOf(Map.of("loss", 0.25, "accuracy", 0.875));
    }
}
