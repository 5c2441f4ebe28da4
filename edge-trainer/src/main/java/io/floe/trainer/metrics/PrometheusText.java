package io.floe.trainer.metrics;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes metric families in Prometheus' text exposition format, version 0.0.4: per family a
 * {@code # HELP} and a {@code # TYPE} line, then one sample line with the writer's labels. Every
 * sample of one writer carries the same labels (a trainer's model and client id), rendered once.
 *
 * <p>Values follow the format's rules, not Java's: {@code NaN}, {@code +Inf}, {@code -Inf}; label
 * values escape backslash, double quote and newline; help text escapes backslash and newline.
 * A gauge with no value yet is exported as NaN, so a dashboard shows a gap rather than a false 0.
 *
 * {@code String body = new PrometheusText(Map.of("client_id", "site-1")).counter("x_total", "Things.", 3).toString();}
 */
public final class PrometheusText {
    /** The Content-Type a scrape of this format answers with. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final StringBuilder text = new StringBuilder();
    private final String labels;

    /** @param labels label names and values every sample carries, in iteration order; may be empty */
    public PrometheusText(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!LABEL_NAME.matcher(e.getKey()).matches() || e.getKey().startsWith("__")) {
                throw new IllegalArgumentException("invalid Prometheus label name '" + e.getKey() + "': use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __");
            }
            sb.append(sb.length() == 0 ? "{" : ",").append(e.getKey()).append("=\"").append(escapeLabelValue(e.getValue())).append('"');
        }
        this.labels = sb.length() == 0 ? "" : sb.append('}').toString();
    }

    /** A monotonically increasing count; by convention its name ends in {@code _total}. */
    public PrometheusText counter(String name, String help, double value) {
        return family(name, "counter", help, value);
    }

    /** A value that goes up and down. */
    public PrometheusText gauge(String name, String help, double value) {
        return family(name, "gauge", help, value);
    }

    /**
     * A counter with one sample per value of an extra label (e.g. {@code reason}), after the
     * writer's labels, in the map's iteration order.
     */
    public PrometheusText counter(String name, String help, String label, Map<String, ? extends Number> byValue) {
        if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
            throw new IllegalArgumentException("invalid Prometheus label name '" + label + "': use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __");
        }
        header(name, "counter", help);
        for (Map.Entry<String, ? extends Number> e : byValue.entrySet()) {
            String extra = label + "=\"" + escapeLabelValue(e.getKey()) + '"';
            String all = labels.isEmpty() ? "{" + extra + "}" : labels.substring(0, labels.length() - 1) + "," + extra + "}";
            text.append(name).append(all).append(' ').append(number(e.getValue().doubleValue())).append('\n');
        }
        return this;
    }

    private PrometheusText family(String name, String type, String help, double value) {
        header(name, type, help);
        text.append(name).append(labels).append(' ').append(number(value)).append('\n');
        return this;
    }

    private void header(String name, String type, String help) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid Prometheus metric name '" + name + "': use [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        text.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** The exposition so far. */
    @Override
    public String toString() {
        return text.toString();
    }

    /** A sample value as the format spells it: integers without a fraction, NaN and infinities by name. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escapeLabelValue(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
