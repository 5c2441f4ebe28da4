package io.floe.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuleParametersTest {

    @Test
    void defaultsMatchTheAggregationConfigDefaults() {
        // Execute / Assert
        assertThat(RuleParameters.DEFAULTS).isEqualTo(new RuleParameters(0.1, 1, 0));
    }

    @Test
    void rejectsOutOfRangeValues() {
        // Execute / Assert
        assertThatThrownBy(() -> new RuleParameters(0.5, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trimFraction must be in [0, 0.5), was 0.5");
        assertThatThrownBy(() -> new RuleParameters(0.1, -1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("byzantineClients must be >= 0");
        assertThatThrownBy(() -> new RuleParameters(0.1, 1, -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiKrumSelection must be >= 0");
    }
}
