package io.floe.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AggregationRulesTest {

    @Test
    void findsFedavgIgnoringCase() {
        // Execute / Assert
        assertThat(AggregationRules.byName("fedavg")).isInstanceOf(FederatedAveraging.class);
        assertThat(AggregationRules.byName("FedAvg")).isInstanceOf(FederatedAveraging.class);
        assertThat(AggregationRules.isKnown("FEDAVG")).isTrue();
    }

    @Test
    void unknownNameMessageListsTheKnownRules() {
        // Execute / Assert
        assertThatThrownBy(() -> AggregationRules.byName("krum"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'krum'")
                .hasMessageContaining("known rules: " + AggregationRules.names())
                .hasMessageContaining("fedavg");
    }

    @Test
    void nullNameIsUnknown() {
        // Execute / Assert
        assertThat(AggregationRules.isKnown(null)).isFalse();
        assertThatThrownBy(() -> AggregationRules.byName(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesMatchWhatEachRuleCallsItself() {
        // Execute / Assert
        for (String name : AggregationRules.names()) {
            assertThat(AggregationRules.byName(name).name()).isEqualTo(name);
        }
        assertThat(AggregationRules.names()).contains("fedavg");
    }
}
