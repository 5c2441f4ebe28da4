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
    void listsEveryRule() {
        // Execute / Assert
        assertThat(AggregationRules.names()).containsExactly("bulyan", "fedavg", "krum", "median", "multi-krum", "trimmed-mean");
    }

    @Test
    void byNameUsesTheDefaultParameters() {
        // Execute / Assert
        assertThat(AggregationRules.byName("median")).isInstanceOf(CoordinateWiseMedian.class);
        assertThat(((TrimmedMean) AggregationRules.byName("trimmed-mean")).beta()).isEqualTo(0.1);
        assertThat(((Krum) AggregationRules.byName("krum")).byzantine()).isEqualTo(1);
        MultiKrum multi = (MultiKrum) AggregationRules.byName("multi-krum");
        assertThat(multi.byzantine()).isEqualTo(1);
        assertThat(multi.selection()).isZero();
    }

    @Test
    void createPassesTheParametersEachRuleReads() {
        // Prepare
        RuleParameters p = new RuleParameters(0.25, 3, 4);

        // Execute / Assert
        assertThat(((TrimmedMean) AggregationRules.create("Trimmed-Mean", p)).beta()).isEqualTo(0.25);
        assertThat(((Krum) AggregationRules.create("krum", p)).byzantine()).isEqualTo(3);
        MultiKrum multi = (MultiKrum) AggregationRules.create("multi-krum", p);
        assertThat(multi.byzantine()).isEqualTo(3);
        assertThat(multi.selection()).isEqualTo(4);
        assertThat(AggregationRules.create("fedavg", p)).isInstanceOf(FederatedAveraging.class);
        assertThat(AggregationRules.create("median", null)).isInstanceOf(CoordinateWiseMedian.class);
    }

    @Test
    void unknownNameMessageListsTheKnownRules() {
        // Execute / Assert
        assertThatThrownBy(() -> AggregationRules.byName("geomed"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'geomed'")
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
