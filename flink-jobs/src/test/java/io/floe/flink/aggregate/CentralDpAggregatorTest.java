package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.privacy.RdpAccountant;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Central DP in the running operator: the ledger in every report grows per version as the
 * accountant says, survives a snapshot/restore, and the model stops at its budget, after which
 * updates are dead-lettered.
 */
class CentralDpAggregatorTest {
    private static final byte[] SECRET = "a configured DP noise secret".getBytes();
    private static final double Z = 3.0;
    private static final double DELTA = 1e-5;

    private static KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> harness(OperatorSubtaskState state)
            throws Exception {
        return AggregatorHarness.open(new ModelAggregator(TOPICS, SECRET), state);
    }

    private static void round(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h, long version, long offset)
            throws Exception {
        for (String client : List.of("alice", "bob")) {
            h.processElement(updateEvent(update(client, 4, weights(0.3f, -0.2f, 0.1f)).setBaseVersion(version)
                    .setUpdateId("u-" + client + "-" + version).build(), offset++), T0 + offset);
        }
    }

    @Test
    void epsilonGrowsPerVersionAndTheModelStopsAtItsBudget() throws Exception {
        double e1 = RdpAccountant.epsilon(1.0, Z, 1, DELTA);
        double e2 = RdpAccountant.epsilon(1.0, Z, 2, DELTA);
        double e3 = RdpAccountant.epsilon(1.0, Z, 3, DELTA);
        double budget = (e2 + e3) / 2;
        var h = harness(null);
        ModelEvent specEvent = specEvent(spec(2).setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(2)
                .setDpNoiseMultiplier(Z).setDpClipNorm(0.5).setDpDelta(DELTA).setDpTargetEpsilon(budget).build()).build(), 0);
        h.processElement(specEvent, T0);
        PublishedRecords.drain(h, TOPICS);

        round(h, 0, 10);
        PublishedRecords first = PublishedRecords.drain(h, TOPICS);
        // snapshot between versions: the ledger is keyed state and must survive a restore
        OperatorSubtaskState snapshot = h.snapshot(1L, T0 + 100);
        h.close();
        h = harness(snapshot);
        round(h, 1, 20);
        PublishedRecords second = PublishedRecords.drain(h, TOPICS);
        round(h, 2, 30);
        PublishedRecords third = PublishedRecords.drain(h, TOPICS);
        h.processElement(updateEvent(update("carol", 4, weights(0.1f, 0.1f, 0.1f)).setBaseVersion(2).build(), 40), T0 + 40);
        PublishedRecords after = PublishedRecords.drain(h, TOPICS);
        h.close();

        List<AggregationReport> reports = new ArrayList<>(first.reports());
        reports.addAll(second.reports());
        assertThat(first.models()).extracting(GlobalModel::getVersion).containsExactly(1L);
        assertThat(second.models()).extracting(GlobalModel::getVersion).containsExactly(2L);
        assertThat(reports).extracting(r -> r.getPrivacy().getEpsilon()).satisfiesExactly(
                e -> assertThat(e).isCloseTo(e1, within(1e-9)), e -> assertThat(e).isCloseTo(e2, within(1e-9)));
        assertThat(reports).allSatisfy(r -> {
            assertThat(r.getPrivacy().getMechanism()).isEqualTo("gaussian");
            assertThat(r.getPrivacy().getNoiseMultiplier()).isEqualTo(Z);
            assertThat(r.getPrivacy().getSampleRate()).isEqualTo(1.0);
            assertThat(r.getPrivacy().getExhausted()).isFalse();
            assertThat(r.getPrivacy().getTargetEpsilon()).isEqualTo(budget);
        });

        assertThat(third.models()).as("version 3 would exceed the budget").isEmpty();
        assertThat(third.reports()).singleElement().satisfies(r -> {
            assertThat(r.getNote()).contains("privacy budget exhausted");
            assertThat(r.getPrivacy().getExhausted()).isTrue();
            assertThat(r.getPrivacy().getEpsilon()).isCloseTo(e2, within(1e-9));
        });
        assertThat(after.deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.getReason()).isEqualTo("PRIVACY_BUDGET_EXHAUSTED"));
        assertThat(after.models()).isEmpty();
    }
}
