package io.floe.trainer.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.privacy.RdpAccountant;
import io.floe.trainer.model.DpSgd;
import io.floe.trainer.model.TrainingConfig;
import org.junit.jupiter.api.Test;

class DpSgdLedgerTest {
    /** 2 local epochs, batch 32: on 456 records that is q = 32 / 456 and 2 * 15 = 30 steps a round. */
    private static final TrainingConfig ROUND = new TrainingConfig(0.1, 2, 32, 0L);
    private static final int N = 456;
    private static final double Q = 32.0 / 456;

    @Test
    void fixedNoiseEpsilonIsTheAccountantsOverAllStepsSoFar() {
        DpSgdLedger ledger = new DpSgdLedger(DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.1).build());
        assertThat(ledger.epsilon()).isZero();

        double previous = 0;
        for (int round = 1; round <= 4; round++) {
            DpSgd dp = ledger.charge(N, ROUND);

            assertThat(dp).isEqualTo(new DpSgd(1.0, 1.1, 32));
            assertThat(ledger.steps()).isEqualTo(30L * round);
            assertThat(ledger.epsilon()).isEqualTo(RdpAccountant.epsilon(Q, 1.1, 30L * round, 1e-5))
                    .isGreaterThan(previous);
            previous = ledger.epsilon();
        }
        assertThat(ledger.rounds()).isEqualTo(4);
        assertThat(ledger.spent().delta()).isEqualTo(1e-5);
    }

    @Test
    void targetEpsilonPicksSigmaForThePlannedRoundsAndRefusesTheNextRound() {
        DpSgdConfig config = DpSgdConfig.builder().clipNorm(1.0).targetEpsilon(2.0).delta(1e-5).plannedRounds(3).build();
        DpSgdLedger ledger = new DpSgdLedger(config);
        assertThat(ledger.noiseMultiplier()).isEmpty();

        for (int round = 0; round < 3; round++) {
            ledger.charge(N, ROUND);
        }

        double sigma = RdpAccountant.noiseMultiplier(2.0, 1e-5, Q, 3 * 30);
        assertThat(ledger.noiseMultiplier()).hasValue(sigma);
        assertThat(ledger.epsilon()).isLessThanOrEqualTo(2.0).isCloseTo(2.0, within(0.05));
        assertThatThrownBy(() -> ledger.charge(N, ROUND))
                .isInstanceOf(PrivacyBudgetExhaustedException.class)
                .hasMessageContaining("privacy budget exhausted: round 4")
                .hasMessageContaining("past the target 2");
        assertThat(ledger.rounds()).as("the refused round is not charged").isEqualTo(3);
        assertThat(ledger.steps()).isEqualTo(90);
    }

    @Test
    void moreLocalEpochsThanPlannedExhaustTheBudgetSooner() {
        DpSgdLedger ledger = new DpSgdLedger(
                DpSgdConfig.builder().clipNorm(1.0).targetEpsilon(2.0).plannedRounds(4).build());
        ledger.charge(N, ROUND);

        ledger.charge(N, ROUND.withLocalEpochs(4));
        PrivacyBudgetExhaustedException e = org.junit.jupiter.api.Assertions.assertThrows(
                PrivacyBudgetExhaustedException.class, () -> ledger.charge(N, ROUND.withLocalEpochs(4)));

        assertThat(e.spentEpsilon()).isEqualTo(ledger.epsilon()).isLessThan(2.0);
        assertThat(e.projectedEpsilon()).isGreaterThan(2.0);
        assertThat(e.targetEpsilon()).isEqualTo(2.0);
    }

    @Test
    void anExpectedBatchSizeInTheConfigOverridesTheRoundsBatchSize() {
        DpSgdLedger ledger = new DpSgdLedger(
                DpSgdConfig.builder().clipNorm(0.5).noiseMultiplier(2.0).expectedBatchSize(100).build());

        DpSgd dp = ledger.charge(N, ROUND);

        assertThat(dp).isEqualTo(new DpSgd(0.5, 2.0, 100));
        assertThat(ledger.steps()).isEqualTo(2 * 5);
        assertThat(ledger.epsilon()).isEqualTo(RdpAccountant.epsilon(100.0 / N, 2.0, 10, 1e-5));
    }

    @Test
    void unreachableTargetsSayWhy() {
        DpSgdLedger ledger = new DpSgdLedger(
                DpSgdConfig.builder().clipNorm(1.0).targetEpsilon(1e-6).delta(1e-12).plannedRounds(1000).build());

        assertThatThrownBy(() -> ledger.charge(N, ROUND.withBatchSize(N)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot reach DP-SGD target epsilon 1.0E-6");
    }

    @Test
    void roundSeedsComeFromTheSecretAndTheVersion() {
        DpSgdConfig config = DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).secretSeed(7L).build();
        DpSgdLedger a = new DpSgdLedger(config);
        DpSgdLedger b = new DpSgdLedger(config);
        DpSgdLedger other = new DpSgdLedger(DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).secretSeed(8L).build());
        DpSgdLedger drawn1 = new DpSgdLedger(DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).build());
        DpSgdLedger drawn2 = new DpSgdLedger(DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).build());

        assertThat(a.roundSeed(3)).isEqualTo(b.roundSeed(3)).isNotEqualTo(a.roundSeed(4)).isNotEqualTo(other.roundSeed(3));
        assertThat(drawn1.roundSeed(3)).as("secret drawn from SecureRandom").isNotEqualTo(drawn2.roundSeed(3));
    }
}
