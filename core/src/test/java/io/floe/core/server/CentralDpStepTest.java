package io.floe.core.server;

import io.floe.core.settings.AggregationSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.privacy.CentralDp;
import io.floe.core.privacy.PrivacyLedger;
import io.floe.core.privacy.RdpAccountant;
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

/** The privacy ledger across rounds: epsilon grows per version as the accountant says, and the budget stops publication. */
class CentralDpStepTest {
    private static final Instant T = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final ModelWeights W = new ModelWeights(List.of(new Tensor("w", new int[] {3}, new float[] {0f, 0f, 0f})));
    private static final byte[] SECRET = "0123456789abcdef".getBytes();

    private static ModelSpec spec(double targetEpsilon) {
        return ModelSpec.newBuilder()
                .setModelId("dp-model").setArchitecture("logreg(3)")
                .setInitialTensors(TensorRecords.toRecords(W)).setInitSeed(1)
                .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(2)
                        .setDpNoiseMultiplier(2.0).setDpClipNorm(1.0).setDpDelta(1e-5).setDpTargetEpsilon(targetEpsilon).build())
                .setTraining(ClientTrainingConfig.newBuilder().build())
                .setCreatedAt(T).build();
    }

    private static List<ClientUpdate> updates(long version) {
        return List.of(
                new ClientUpdate("a" + version, "alice", version, 5, 1,
                        new ModelWeights(List.of(new Tensor("w", new int[] {3}, new float[] {3f, 0f, 4f}))), Map.of("dp_epsilon", 2.5)),
                new ClientUpdate("b" + version, "bob", version, 5, 1,
                        new ModelWeights(List.of(new Tensor("w", new int[] {3}, new float[] {0.1f, 0.1f, 0.1f}))), Map.of()));
    }

    @Test
    void epsilonGrowsPerVersionAsTheAccountantSaysAndStopsAtTheBudget() {
        // epsilon after 1, 2, 3 rounds of q = 1, z = 2 at delta 1e-5; budget between rounds 2 and 3
        double e1 = RdpAccountant.epsilon(1.0, 2.0, 1, 1e-5);
        double e2 = RdpAccountant.epsilon(1.0, 2.0, 2, 1e-5);
        double e3 = RdpAccountant.epsilon(1.0, 2.0, 3, 1e-5);
        double budget = (e2 + e3) / 2;
        ModelSpec spec = spec(budget);
        AggregationSettings settings = AggregationSettings.from(spec.getAggregation());
        CentralDp dp = settings.centralDp().orElseThrow();

        GlobalModel model = ModelVersions.versionZero(spec, W, T);
        ModelWeights weights = W;
        PrivacyLedger ledger = PrivacyLedger.start(dp.clipNorm());
        double[] expected = {e1, e2};
        for (int round = 0; round < 2; round++) {
            ClosedRound closed = new CentralDpStep(dp, ledger, SECRET).close(RoundInput.of(model, weights, spec, settings,
                    updates(model.getVersion()), List.of(), T));
            assertThat(closed.published()).isTrue();
            assertThat(closed.report().getPrivacy().getEpsilon()).isCloseTo(expected[round], within(1e-9));
            assertThat(closed.report().getPrivacy().getRounds()).isEqualTo(round + 1);
            assertThat(closed.report().getPrivacy().getClientEpsilons()).containsEntry("alice", 2.5).doesNotContainKey("bob");
            assertThat(closed.report().getScores()).isEmpty();
            assertThat(closed.report().getRule()).isEqualTo("dp-fedavg");
            ledger = PrivacyLedger.decode(closed.ledger().encode());
            model = closed.model();
            weights = TensorRecords.fromRecords(model.getTensors());
        }
        assertThat(e2).isGreaterThan(e1);

        ClosedRound third = new CentralDpStep(dp, ledger, SECRET).close(RoundInput.of(model, weights, spec, settings,
                updates(2), List.of(), T));

        assertThat(third.published()).isFalse();
        assertThat(third.model()).isNull();
        assertThat(third.report().getNote()).contains("privacy budget exhausted");
        assertThat(third.report().getPrivacy().getExhausted()).isTrue();
        assertThat(third.report().getPrivacy().getEpsilon()).isCloseTo(e2, within(1e-9));
        assertThat(third.ledger().exhausted()).isTrue();
        assertThat(PrivacyLedger.decode(third.ledger().encode()).rounds()).isEqualTo(2);
    }

    @Test
    void theSameSecretReplaysTheSameVersionBitForBit() {
        ModelSpec spec = spec(0);
        AggregationSettings settings = AggregationSettings.from(spec.getAggregation());
        CentralDp dp = settings.centralDp().orElseThrow();
        GlobalModel v0 = ModelVersions.versionZero(spec, W, T);

        ClosedRound a = new CentralDpStep(dp, PrivacyLedger.start(1.0), SECRET).close(RoundInput.of(v0, W, spec, settings,
                updates(0), List.of(), T));
        ClosedRound b = new CentralDpStep(dp, PrivacyLedger.start(1.0), SECRET).close(RoundInput.of(v0, W, spec, settings,
                updates(0), List.of(), T));
        ClosedRound other = new CentralDpStep(dp, PrivacyLedger.start(1.0), "fedcba9876543210".getBytes()).close(RoundInput.of(v0, W, spec, settings,
                updates(0), List.of(), T));

        assertThat(a.model().getTensors()).isEqualTo(b.model().getTensors());
        assertThat(other.model().getTensors()).isNotEqualTo(a.model().getTensors());
    }
}
