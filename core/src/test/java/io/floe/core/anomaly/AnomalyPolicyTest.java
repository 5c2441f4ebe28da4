package io.floe.core.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AnomalyPolicyTest {
    private static final UpdateScores CALM = new UpdateScores("u1", "c1", 1.0, 0.5, 0.8, 1.0);
    private static final UpdateScores BOOSTED = new UpdateScores("u2", "c2", 30.0, 12.0, 0.9, 90.0);
    private static final UpdateScores VANISHED = new UpdateScores("u3", "c3", 0.0, -4.0, 0.0, 3.0);
    private static final UpdateScores FLIPPED = new UpdateScores("u4", "c4", 1.0, 0.1, -0.9, 4.0);

    @Test
    void calmUpdatesAreAcceptedInEveryMode() {
        for (Decision mode : new Decision[] {Decision.FLAG, Decision.DOWNWEIGHT, Decision.REJECT}) {
            assertThat(new AnomalyPolicy(mode, 3.5, 0.0, 0.1).judge(CALM).decision()).isEqualTo(Decision.ACCEPT);
        }
    }

    @Test
    void suspiciousUpdatesGetTheModeWithTheReason() {
        AnomalyPolicy reject = new AnomalyPolicy(Decision.REJECT, 3.5, 0.0, 0.1);
        assertThat(reject.judge(BOOSTED).decision()).isEqualTo(Decision.REJECT);
        assertThat(reject.judge(BOOSTED).reason()).contains("robust z 12.00");
        assertThat(reject.judge(VANISHED).decision()).isEqualTo(Decision.REJECT);
        assertThat(reject.judge(FLIPPED).reason()).contains("cosine to the median -0.900 < 0.000");
        assertThat(AnomalyPolicy.flagOnly().judge(FLIPPED).decision()).isEqualTo(Decision.FLAG);
        assertThat(new AnomalyPolicy(Decision.DOWNWEIGHT, 3.5, 0.0, 0.1).judge(BOOSTED).decision()).isEqualTo(Decision.DOWNWEIGHT);
    }

    @Test
    void thresholdsAreStrict() {
        UpdateScores atThreshold = new UpdateScores("u", "c", 1, 3.5, 0.0, 1);
        assertThat(new AnomalyPolicy(Decision.REJECT, 3.5, 0.0, 0.1).judge(atThreshold).decision()).isEqualTo(Decision.ACCEPT);
    }

    @Test
    void invalidPoliciesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> AnomalyPolicy.parseMode("ignore")).hasMessageContaining("flag, downweight or reject");
        assertThatThrownBy(() -> new AnomalyPolicy(Decision.ACCEPT, 3.5, 0, 0.1)).hasMessageContaining("mode");
        assertThatThrownBy(() -> new AnomalyPolicy(Decision.FLAG, 0, 0, 0.1)).hasMessageContaining("normZThreshold");
        assertThatThrownBy(() -> new AnomalyPolicy(Decision.FLAG, 3, 2, 0.1)).hasMessageContaining("cosineThreshold");
        assertThatThrownBy(() -> new AnomalyPolicy(Decision.FLAG, 3, 0, 0)).hasMessageContaining("downweightFactor");
    }

    @Test
    void anAbsurdNormIsRejectedWhateverTheMode() {
        UpdateScores absurd = new UpdateScores("u9", "c9", 1e30, 1e25, 0.9, 1e60, 1e29);
        UpdateScores large = new UpdateScores("u8", "c8", 900, 50, 0.9, 1e6, 999);
        AnomalyPolicy flag = AnomalyPolicy.flagOnly();
        assertThat(flag.judge(absurd).decision()).isEqualTo(Decision.REJECT);
        assertThat(flag.judge(absurd).reason()).contains("maxNormRatio");
        assertThat(flag.judge(large).decision()).as("999x the median is only suspicious").isEqualTo(Decision.FLAG);
        AnomalyPolicy off = new AnomalyPolicy(Decision.FLAG, 3.5, 0.0, 0.1, 0);
        assertThat(off.judge(absurd).decision()).as("0 disables the bound").isEqualTo(Decision.FLAG);
        assertThat(flag.judge(new UpdateScores("u", "c", 1, 0, 1, 1)).decision()).as("no ratio: no bound").isEqualTo(Decision.ACCEPT);
    }
}
