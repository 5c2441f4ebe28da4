package io.floe.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void defaultsAreTheDesignNames() {
        // Execute
        TopicNames names = TopicNames.defaults();

        // Assert
        assertThat(names).isEqualTo(new TopicNames(
                "floe.control", "floe.updates", "floe.models", "floe.reports", "floe.deadletter", "floe.clients",
                "floe.chunk-scores"));
    }

    @Test
    void prefixAppliesToEveryTopic() {
        // Execute
        TopicNames names = TopicNames.withPrefix("test-7.");

        // Assert
        assertThat(names.control()).isEqualTo("test-7.control");
        assertThat(names.updates()).isEqualTo("test-7.updates");
        assertThat(names.models()).isEqualTo("test-7.models");
        assertThat(names.reports()).isEqualTo("test-7.reports");
        assertThat(names.deadLetter()).isEqualTo("test-7.deadletter");
        assertThat(names.clients()).isEqualTo("test-7.clients");
        assertThat(names.chunkScores()).isEqualTo("test-7.chunk-scores");
    }

    @Test
    void rejectsNullName() {
        // Execute / Assert
        assertThatThrownBy(() -> new TopicNames("c", "u", null, "r", "d", "h", "s"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("models");
    }
}
