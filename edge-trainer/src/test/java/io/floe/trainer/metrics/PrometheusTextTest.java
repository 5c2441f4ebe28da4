package io.floe.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text exposition format, line by line. */
class PrometheusTextTest {

    @Test
    void writesHelpTypeAndOneSampleWithTheWritersLabelsPerFamily() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("model_id", "wdbc");
        labels.put("client_id", "site-1");

        String text = new PrometheusText(labels).counter("x_total", "Things done.", 3).gauge("y", "A level.", 0.25).toString();

        assertThat(text).isEqualTo("""
                # HELP x_total Things done.
                # TYPE x_total counter
                x_total{model_id="wdbc",client_id="site-1"} 3
                # HELP y A level.
                # TYPE y gauge
                y{model_id="wdbc",client_id="site-1"} 0.25
                """);
    }

    @Test
    void withoutLabelsASampleIsNameAndValue() {
        assertThat(new PrometheusText(Map.of()).gauge("up", "Up.", 1).toString()).endsWith("\nup 1\n");
    }

    @Test
    void spellsNaNAndInfinitiesAsTheFormatDoes() {
        assertThat(PrometheusText.number(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
        assertThat(PrometheusText.number(-1)).isEqualTo("-1");
        assertThat(PrometheusText.number(1e20)).isEqualTo("1.0E20");
        assertThat(PrometheusText.number(0.1)).isEqualTo("0.1");
    }

    @Test
    void escapesLabelValuesAndHelp() {
        String text = new PrometheusText(Map.of("client_id", "a\\b\"c\nd")).gauge("g", "line\\one\ntwo", 1).toString();

        assertThat(text).contains("# HELP g line\\\\one\\ntwo\n").contains("g{client_id=\"a\\\\b\\\"c\\nd\"} 1\n");
    }

    @Test
    void refusesNamesTheFormatCannotCarry() {
        assertThatThrownBy(() -> new PrometheusText(Map.of()).gauge("floe-trainer", "h", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[a-zA-Z_:]");
        assertThatThrownBy(() -> new PrometheusText(Map.of("client-id", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label name");
        assertThatThrownBy(() -> new PrometheusText(Map.of("__name__", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("__");
    }

    @Test
    void aCounterByLabelWritesOneSamplePerValueAfterTheWritersLabels() {
        Map<String, Long> byReason = new java.util.LinkedHashMap<>();
        byReason.put("unsigned", 1L);
        byReason.put("bad\"sig", 2L);

        String labelled = new PrometheusText(Map.of("client_id", "c")).counter("x_total", "X.", "reason", byReason).toString();
        String bare = new PrometheusText(Map.of()).counter("x_total", "X.", "reason", Map.of("a", 3)).toString();

        assertThat(labelled).isEqualTo("# HELP x_total X.\n# TYPE x_total counter\n"
                + "x_total{client_id=\"c\",reason=\"unsigned\"} 1\nx_total{client_id=\"c\",reason=\"bad\\\"sig\"} 2\n");
        assertThat(bare).endsWith("\nx_total{reason=\"a\"} 3\n");
        assertThatThrownBy(() -> new PrometheusText(Map.of()).counter("x_total", "X.", "re-ason", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label name");
    }
}
