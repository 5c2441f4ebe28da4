package io.floe.trainer.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DpSgdConfigTest {

    @Test
    void fixedNoiseModeKeepsItsValuesAndDefaultsDelta() {
        DpSgdConfig dp = DpSgdConfig.builder().clipNorm(1.5).noiseMultiplier(1.1).build();

        assertThat(dp.clipNorm()).isEqualTo(1.5);
        assertThat(dp.noiseMultiplier()).hasValue(1.1);
        assertThat(dp.targetEpsilon()).isEmpty();
        assertThat(dp.delta()).isEqualTo(1e-5);
        assertThat(dp.plannedRounds()).isZero();
        assertThat(dp.expectedBatchSize()).isEmpty();
        assertThat(dp.secretSeed()).isEmpty();
    }

    @Test
    void targetModeNeedsPlannedRounds() {
        DpSgdConfig dp = DpSgdConfig.builder().clipNorm(1.0).targetEpsilon(4.0).delta(1e-6).plannedRounds(20)
                .expectedBatchSize(64).secretSeed(9L).build();

        assertThat(dp.targetEpsilon()).hasValue(4.0);
        assertThat(dp.noiseMultiplier()).isEmpty();
        assertThat(dp.plannedRounds()).isEqualTo(20);
        assertThat(dp.expectedBatchSize()).hasValue(64);
        assertThat(dp.secretSeed()).hasValue(9L);
        assertThat(dp.toString()).contains("target epsilon 4.0 over 20 rounds", "delta 1.0E-6", "expected batch 64");
        assertThatThrownBy(() -> DpSgdConfig.builder().clipNorm(1.0).targetEpsilon(4.0).build())
                .hasMessageContaining("needs the number of planned rounds");
    }

    @Test
    void noiseMultiplierAndTargetEpsilonAreMutuallyExclusiveAndOneIsNeeded() {
        assertThatThrownBy(() -> DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).targetEpsilon(2.0)
                .plannedRounds(5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mutually exclusive");
        assertThatThrownBy(() -> DpSgdConfig.builder().clipNorm(1.0).build())
                .hasMessageContaining("needs a noise multiplier, or a target epsilon");
        assertThatThrownBy(() -> DpSgdConfig.builder().noiseMultiplier(1.0).build())
                .hasMessageContaining("needs a clip norm C");
        assertThatThrownBy(() -> DpSgdConfig.builder().clipNorm(1.0).noiseMultiplier(1.0).plannedRounds(3).build())
                .hasMessageContaining("planned rounds only apply to a target epsilon");
    }

    @Test
    void settersRejectValuesThatGiveNoPrivacy() {
        DpSgdConfig.Builder b = DpSgdConfig.builder();

        assertThatThrownBy(() -> b.clipNorm(0)).hasMessageContaining("clip norm must be positive");
        assertThatThrownBy(() -> b.noiseMultiplier(0)).hasMessageContaining("0 gives no privacy");
        assertThatThrownBy(() -> b.targetEpsilon(Double.POSITIVE_INFINITY)).hasMessageContaining("target epsilon");
        assertThatThrownBy(() -> b.delta(1.0)).hasMessageContaining("delta must be in (0, 1)");
        assertThatThrownBy(() -> b.delta(0.0)).hasMessageContaining("delta must be in (0, 1)");
        assertThatThrownBy(() -> b.plannedRounds(0)).hasMessageContaining("planned rounds must be >= 1");
        assertThatThrownBy(() -> b.expectedBatchSize(0)).hasMessageContaining("expected batch size must be >= 1");
    }
}
