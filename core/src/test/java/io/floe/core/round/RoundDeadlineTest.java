package io.floe.core.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.validate.RejectionReason;
import io.floe.core.settings.SpecValidator;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Round deadlines as plain logic: quorum, extension, settings and the spec checks. */
class RoundDeadlineTest {

    @Test
    void defaultsDisableTheDeadline() {
        // Execute
        RoundDeadline deadline = RoundDeadline.from(AggregationConfig.newBuilder().build());

        // Assert
        assertThat(deadline.deadlineMs()).isZero();
        assertThat(deadline.minFitClients()).isEqualTo(1);
        assertThat(deadline.enabled()).isFalse();
        assertThatThrownBy(() -> deadline.firstDeadline(5)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void firstDeadlineIsTheOpeningTimePlusTheTimeout() {
        // Prepare
        RoundDeadline deadline = new RoundDeadline(1_000, 2);

        // Execute / Assert
        assertThat(deadline.enabled()).isTrue();
        assertThat(deadline.firstDeadline(500)).isEqualTo(1_500);
    }

    @Test
    void roundWithMinFitAcceptedUpdatesClosesAtItsDeadline() {
        // Prepare
        RoundDeadline deadline = new RoundDeadline(1_000, 2);
        SyncRound round = SyncRound.restore(3, 5, List.of("alice", "bob"));

        // Execute / Assert
        assertThat(round.isComplete()).isFalse();
        assertThat(deadline.atDeadline(round)).isEqualTo(RoundDeadline.Verdict.CLOSE);
        assertThat(deadline.closedNote(round, 1_000)).contains("2 accepted of clientsPerRound 5");
    }

    @Test
    void excludedResponsesDoNotCountTowardsTheMinimum() {
        // Prepare: one accepted, two quarantined responses
        RoundDeadline deadline = new RoundDeadline(1_000, 2);
        SyncRound round = SyncRound.restore(3, 5, List.of("alice"), List.of("mallory", "trudy"));

        // Execute
        RoundDeadline.Verdict verdict = deadline.atDeadline(round);

        // Assert
        assertThat(verdict).isEqualTo(RoundDeadline.Verdict.EXTEND);
        assertThat(round.hasQuorum(1)).isTrue();
        assertThat(round.hasQuorum(2)).isFalse();
        String note = deadline.extensionNote(round, 1_000, 2_000);
        assertThat(note).contains("with 1 of minFitClients 2").contains("2 excluded")
                .contains("extended to " + Instant.ofEpochMilli(2_000));
    }

    @Test
    void extensionStartsFromTheLaterOfTheDeadlineAndNow() {
        // Prepare
        RoundDeadline deadline = new RoundDeadline(1_000, 1);

        // Execute / Assert: on time, and a timer that fired late (e.g. after a restore)
        assertThat(deadline.extended(5_000, 5_000)).isEqualTo(6_000);
        assertThat(deadline.extended(5_000, 9_000)).isEqualTo(10_000);
    }

    @Test
    void repeatedExtensionsBackOffExponentiallyUpToFiveMinutes() {
        RoundDeadline deadline = new RoundDeadline(1_000, 1);
        // 1 s, 2 s, 4 s, ... after the passed deadline; 2^9 s = 512 s > 300 s cap
        assertThat(deadline.extended(5_000, 5_000, 0)).isEqualTo(6_000);
        assertThat(deadline.extended(6_000, 6_000, 1)).isEqualTo(8_000);
        assertThat(deadline.extended(8_000, 8_000, 2)).isEqualTo(12_000);
        assertThat(deadline.extended(0, 0, 9)).isEqualTo(300_000);
        assertThat(deadline.extended(0, 0, Integer.MAX_VALUE)).isEqualTo(300_000);
        // a timeout longer than the cap is never shortened
        assertThat(new RoundDeadline(600_000, 1).extended(0, 0, 3)).isEqualTo(600_000);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new RoundDeadline(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RoundDeadline(10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncRound.open(0, 3).hasQuorum(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"0, 1, 3", "-5, 1, 3", "1000, 0, 3", "1000, 4, 3", "1000, -1, 3"})
    void specValidatorRefusesBadDeadlineSettings(long deadlineMs, int minFit, int clientsPerRound) {
        // Prepare
        ModelSpec spec = spec(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clientsPerRound)
                .setRoundDeadlineMs(deadlineMs).setMinFitClients(minFit).build());

        // Execute
        SpecValidator.Result result = SpecValidator.validate(spec);

        // Assert: "0, 1, 3" is the valid default case
        if (deadlineMs == 0 && minFit == 1) {
            assertThat(result).isInstanceOf(SpecValidator.Result.Valid.class);
            return;
        }
        assertThat(result).isInstanceOf(SpecValidator.Result.Invalid.class);
        var rejection = ((SpecValidator.Result.Invalid) result).rejection();
        assertThat(rejection.reason()).isEqualTo(RejectionReason.INVALID_SPEC);
        assertThat(rejection.detail()).containsAnyOf("roundDeadlineMs", "minFitClients");
    }

    @Test
    void specValidatorAcceptsMinFitEqualToClientsPerRound() {
        ModelSpec spec = spec(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(3)
                .setRoundDeadlineMs(500).setMinFitClients(3).build());

        assertThat(SpecValidator.validate(spec)).isInstanceOf(SpecValidator.Result.Valid.class);
    }

    private static ModelSpec spec(AggregationConfig aggregation) {
        return ModelSpec.newBuilder()
                .setModelId("m")
                .setArchitecture("test-net(2)")
                .setInitialTensors(TensorRecords.toRecords(new ModelWeights(List.of(
                        new Tensor("W", new int[] {1, 2}, new float[] {0.5f, -0.5f}),
                        new Tensor("b", new int[] {1}, new float[] {0f})))))
                .setInitSeed(3L)
                .setAggregation(aggregation)
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.05f).setLocalEpochs(2).setBatchSize(16).build())
                .setCreatedAt(Instant.ofEpochMilli(1L))
                .build();
    }
}
