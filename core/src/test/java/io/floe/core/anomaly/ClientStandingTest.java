package io.floe.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientStandingTest {

    @Test
    void quarantinedAtTheThirdRejectionWithinFiveRounds() {
        QuarantineRule rule = QuarantineRule.DEFAULT;
        ClientStanding s = ClientStanding.NEW;
        boolean[] rejected = {true, false, true, false, false};
        for (boolean r : rejected) {
            s = s.afterRound(r, rule);
            assertThat(s.quarantined()).isFalse();
        }
        // last five: F F T F T (newest first) -> 2 rejections; one more rejection -> 3 in the last 5
        s = s.afterRound(true, rule);
        assertThat(s.rejectionsInLast(5)).isEqualTo(2);
        assertThat(s.quarantined()).isFalse();
        s = s.afterRound(true, rule);
        assertThat(s.rejectionsInLast(5)).isEqualTo(3);
        assertThat(s.quarantined()).isTrue();
        assertThat(s.afterRound(false, rule).quarantined()).as("stays quarantined until released").isTrue();
        assertThat(s.released()).isEqualTo(ClientStanding.NEW);
    }

    @Test
    void oldRejectionsFallOutOfTheWindow() {
        QuarantineRule rule = new QuarantineRule(3, 2);
        ClientStanding s = ClientStanding.NEW.afterRound(true, rule).afterRound(false, rule).afterRound(false, rule)
                .afterRound(true, rule);
        assertThat(s.rejectionsInLast(3)).isEqualTo(1);
        assertThat(s.quarantined()).isFalse();
        assertThat(s.roundsRecorded()).isEqualTo(4);
    }

    @Test
    void disabledRuleNeverQuarantines() {
        ClientStanding s = ClientStanding.NEW;
        for (int i = 0; i < 40; i++) {
            s = s.afterRound(true, QuarantineRule.DISABLED);
        }
        assertThat(s.quarantined()).isFalse();
        assertThat(s.roundsRecorded()).isEqualTo(32);
    }
}
