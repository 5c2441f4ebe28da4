package io.floe.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * A ledger rebuilt from a published report's facts (rounds, q, z, clip, exhausted, epsilon) owes
 * what the report says was spent, and goes on accounting from there.
 */
class PrivacyLedgerTest {
    private static final double DELTA = 1e-5;

    @Test
    void resumedLedgerSpendsWhatTheSameRoundsSpent() {
        // Prepare: three rounds at z = 1.1, C = 0.5, as a running job would have accounted them
        PrivacyLedger ran = PrivacyLedger.start(0.5);
        for (int i = 0; i < 3; i++) {
            ran = ran.afterRound(1.0, 1.1, 0.5);
        }
        double eps = ran.spent(DELTA).epsilon();

        // Execute
        PrivacyLedger resumed = PrivacyLedger.resumed(3, 1.0, 1.1, 0.5, false, eps, DELTA);

        // Assert: same rounds, same spend, and the fourth round costs what it would have
        assertThat(resumed.rounds()).isEqualTo(3);
        assertThat(resumed.clipNorm()).isEqualTo(0.5);
        assertThat(resumed.exhausted()).isFalse();
        assertThat(resumed.spent(DELTA).epsilon()).isEqualTo(eps);
        assertThat(resumed.spentAfterRound(1.0, 1.1, DELTA).epsilon())
                .isEqualTo(ran.spentAfterRound(1.0, 1.1, DELTA).epsilon());
        assertThat(PrivacyLedger.decode(resumed.encode()).rounds()).isEqualTo(3);
    }

    @Test
    void resumedLedgerNeverOwesLessThanTheReportSays() {
        // Prepare: two rounds at z = 0.8, then a spec raised z to 2.0 for a third; the report names z = 2.0
        PrivacyLedger ran = PrivacyLedger.start(1.0).afterRound(1.0, 0.8, 1.0).afterRound(1.0, 0.8, 1.0)
                .afterRound(1.0, 2.0, 1.0);
        double eps = ran.spent(DELTA).epsilon();
        assertThat(RdpAccountant.epsilon(1.0, 2.0, 3, DELTA)).isLessThan(eps);

        // Execute
        PrivacyLedger resumed = PrivacyLedger.resumed(3, 1.0, 2.0, 1.0, false, eps, DELTA);

        // Assert: at least the reported spend, and not grossly more
        assertThat(resumed.rounds()).isEqualTo(3);
        assertThat(resumed.spent(DELTA).epsilon()).isGreaterThanOrEqualTo(eps).isCloseTo(eps, within(1e-6 * eps));
    }

    @Test
    void exhaustedStaysExhaustedAndZeroRoundsIsAFreshLedger() {
        PrivacyLedger exhausted = PrivacyLedger.resumed(7, 1.0, 1.1, 0.5, true, RdpAccountant.epsilon(1.0, 1.1, 7, DELTA), DELTA);
        assertThat(exhausted.exhausted()).isTrue();
        assertThat(PrivacyLedger.decode(exhausted.encode()).exhausted()).isTrue();

        PrivacyLedger none = PrivacyLedger.resumed(0, 1.0, 1.1, 0.5, false, 0.0, DELTA);
        assertThat(none.rounds()).isZero();
        assertThatThrownBy(() -> PrivacyLedger.resumed(-1, 1.0, 1.1, 0.5, false, 0.0, DELTA))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
