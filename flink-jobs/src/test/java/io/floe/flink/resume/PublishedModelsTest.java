package io.floe.flink.resume;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.privacy.RdpAccountant;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.PrivacyLedgerEntry;
import io.floe.schema.Provenance;
import io.floe.schema.ClientTrainingConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which version and which ledger a model without state continues from, among what the topics hold. */
class PublishedModelsTest {

    private static GlobalModel model(String id, long version) {
        return GlobalModel.newBuilder().setModelId(id).setVersion(version).setCreatedAt(Instant.EPOCH).setArchitecture("logreg(2)")
                .setTensors(List.of()).setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(1)
                        .setBatchSize(8).build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1).setUpdateIds(List.of()).build())
                .build();
    }

    private static AggregationReport report(String id, long version, String status, PrivacyLedgerEntry privacy) {
        return AggregationReport.newBuilder().setModelId(id).setVersion(version).setBaseVersion(version - 1)
                .setCreatedAt(Instant.EPOCH).setRule("fedavg").setAccepted(List.of()).setRejected(List.of())
                .setPrivacy(privacy).setStatus(status).build();
    }

    private static PrivacyLedgerEntry entry(long rounds, boolean exhausted) {
        return PrivacyLedgerEntry.newBuilder().setMechanism("gaussian").setNoiseMultiplier(2.0).setClipNorm(0.5).setSampleRate(1.0)
                .setRounds(rounds).setEpsilon(RdpAccountant.epsilon(1.0, 2.0, rounds, 1e-5)).setDelta(1e-5).setBestOrder(0)
                .setTargetEpsilon(0).setExhausted(exhausted).build();
    }

    @Test
    void theHighestVersionAndTheNewestReportWithALedgerCount() throws Exception {
        // Prepare: an older job's version 0 republished after version 126; a DP model whose newest report is an extension
        List<GlobalModel> models = List.of(model("a", 125), model("a", 126), model("a", 0), model("b", 3));
        List<AggregationReport> reports = List.of(report("b", 2, "PUBLISHED", entry(2, false)),
                report("b", 3, "PUBLISHED", entry(3, false)), report("b", 4, "EXTENDED", null));

        // Execute
        PublishedModels found = PublishedModels.of(models, reports);

        // Assert
        assertThat(found.versions()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 126L, "b", 3L));
        assertThat(found.describe()).isEqualTo("a at v126, b at v3");
        assertThat(found.model("a")).hasValueSatisfying(m -> assertThat(m.getVersion()).isEqualTo(126L));
        assertThat(found.ledger("a")).isEmpty();
        assertThat(found.ledger("b")).hasValueSatisfying(l -> {
            assertThat(l.rounds()).isEqualTo(3);
            assertThat(l.clipNorm()).isEqualTo(0.5);
            assertThat(l.exhausted()).isFalse();
        });
        assertThat(found.model("c")).isEmpty();
    }

    @Test
    void anExhaustedReportGivesAnExhaustedLedgerAndTheWholeSurvivesJavaSerialization() throws Exception {
        PublishedModels found = PublishedModels.of(List.of(model("b", 3)),
                List.of(report("b", 3, "PUBLISHED", entry(3, false)), report("b", 4, "BUDGET_EXHAUSTED", entry(3, true))));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(found);
        }
        PublishedModels copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (PublishedModels) in.readObject();
        }

        assertThat(copy.ledger("b")).hasValueSatisfying(l -> assertThat(l.exhausted()).isTrue());
        assertThat(copy.model("b")).hasValueSatisfying(m -> assertThat(m.getVersion()).isEqualTo(3L));
        assertThat(PublishedModels.none().modelIds()).isEmpty();
    }

    private static AggregationReport accepting(String id, long version, String... clientAndUpdateIds) {
        List<AcceptedUpdate> accepted = new java.util.ArrayList<>();
        for (int i = 0; i < clientAndUpdateIds.length; i += 2) {
            accepted.add(AcceptedUpdate.newBuilder().setClientId(clientAndUpdateIds[i]).setUpdateId(clientAndUpdateIds[i + 1])
                    .setNumExamples(10).setWeight(0.5).build());
        }
        return AggregationReport.newBuilder(report(id, version, "PUBLISHED", null)).setAccepted(accepted).build();
    }

    @Test
    void theUpdatesAppliedAreThoseOfTheNewestVersionsReportOnly() {
        // Prepare: a's version 7 report is newer than its version 6; b's newest report (v4) has no published model yet
        List<GlobalModel> models = List.of(model("a", 6), model("a", 7), model("b", 3));
        List<AggregationReport> reports = List.of(accepting("a", 6, "alice", "u-a6", "bob", "u-b6"),
                accepting("a", 7, "alice", "u-a7"), accepting("b", 4, "carol", "u-c4"));

        // Execute
        PublishedModels found = PublishedModels.of(models, reports);

        // Assert: only version 7's update for a; nothing for b (its version 4 was never committed) nor c
        assertThat(found.appliedOnNewest("a")).containsExactlyEntriesOf(Map.of("alice", "u-a7"));
        assertThat(found.appliedOnNewest("b")).isEmpty();
        assertThat(found.appliedOnNewest("c")).isEmpty();
    }
}
