package io.floe.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.settings.AggregationSettings;
import io.floe.schema.AggregationConfig;
import org.junit.jupiter.api.Test;

class CentralDpTest {

    private static AggregationConfig.Builder dpConfig() {
        return AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(10).setDpNoiseMultiplier(1.0).setDpClipNorm(0.5);
    }

    @Test
    void offWhenTheNoiseMultiplierIsZero() {
        assertThat(CentralDp.from(AggregationConfig.newBuilder().setRule("fedavg").build())).isEmpty();
        assertThat(AggregationSettings.from(dpConfig().build()).centralDp()).isPresent();
    }

    @Test
    void refusesRulesWhoseSensitivityIsNotBoundedByTheClipNorm() {
        for (String rule : new String[] {"median", "trimmed-mean", "krum"}) {
            assertThatThrownBy(() -> AggregationSettings.from(dpConfig().setRule(rule).setByzantineClients(1).build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("central DP needs rule fedavg")
                    .hasMessageContaining("sensitivity");
        }
    }

    @Test
    void refusesDataDependentRejectionClippingAndCaps() {
        assertThatThrownBy(() -> AggregationSettings.from(dpConfig().setAnomalyPolicy("reject").build()))
                .hasMessageContaining("anomalyPolicy flag");
        assertThatThrownBy(() -> AggregationSettings.from(dpConfig().setClipping("median").build()))
                .hasMessageContaining("clipping none");
        assertThatThrownBy(() -> AggregationSettings.from(dpConfig().setExampleCap("fixed").setExampleCapValue(10).build()))
                .hasMessageContaining("exampleCap none");
    }

    @Test
    void adaptiveClippingNeedsCountNoiseWiderThanHalfTheNoiseMultiplier() {
        // 10 clients: sigma_b = 10/20 = 0.5, 2 sigma_b = 1 is not > z = 1
        assertThatThrownBy(() -> CentralDp.from(dpConfig().setDpAdaptiveClipping(true).build()))
                .hasMessageContaining("2 sigma_b > z");
        assertThat(CentralDp.from(dpConfig().setDpAdaptiveClipping(true).setDpClipCountStddev(2.0).build())).isPresent();
    }

    @Test
    void invalidParametersAreNamed() {
        assertThatThrownBy(() -> CentralDp.from(dpConfig().setDpClipNorm(0).build())).hasMessageContaining("dpClipNorm");
        assertThatThrownBy(() -> CentralDp.from(dpConfig().setDpDelta(1.5).build())).hasMessageContaining("dpDelta");
        assertThatThrownBy(() -> CentralDp.from(dpConfig().setDpNoiseMultiplier(-1).build())).hasMessageContaining("dpNoiseMultiplier");
    }
}
