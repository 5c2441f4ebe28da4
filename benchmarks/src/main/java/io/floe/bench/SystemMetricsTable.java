package io.floe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.FlSystemMetrics.ByteSize;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The four FL system metrics ({@link FlSystemMetrics}) of every run of an end-to-end experiment:
 * a table of one line per run, printed at the end, and a report JSON ({@code system-metrics.json}:
 * the experiment's config and, per run, its label and the same {@code system_metrics} object the
 * demo's report carries). A figure without its input (no centralised baseline, no version after 0)
 * is printed "not measured" and written as JSON null, never estimated.
 *
 * <p>{@code
 * SystemMetricsTable t = new SystemMetricsTable("AUC >= 0.98 on the held-out test set");
 * t.add("fedavg clean", FlSystemMetrics.of(history, Target.auc(0.98), central, 10, NaN, NaN));
 * t.print(System.out);
 * t.writeJson(outDir.resolve("system-metrics.json"), config);
 * }
 */
public final class SystemMetricsTable {
    /** One run: what it was (e.g. {@code median, sign-flip x3}) and its metrics. */
    public record Row(String run, FlSystemMetrics metrics) {
    }

    private final List<Row> rows = new ArrayList<>();

    public SystemMetricsTable add(String run, FlSystemMetrics metrics) {
        rows.add(new Row(run, metrics));
        return this;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** A header naming the target, then one line per run; nothing when there are no runs. */
    public void print(PrintStream out) {
        if (rows.isEmpty()) {
            return;
        }
        FlSystemMetrics.Target target = rows.get(0).metrics().target();
        int width = Math.max(3, rows.stream().mapToInt(r -> r.run().length()).max().orElse(3));
        out.printf(Locale.ROOT, "FL system metrics per run (target %s >= %.3f; uplink: wire bytes of the aggregated updates)%n",
                target.label(), target.threshold());
        String format = "  %-" + width + "s  %-26s  %11s  %-15s  %-48s  %s%n";
        out.printf(Locale.ROOT, format, "run", "to target", "uplink", "centralised gap", "privacy (epsilon, delta)",
                "participation mean / min");
        for (Row r : rows) {
            FlSystemMetrics m = r.metrics();
            out.printf(Locale.ROOT, format, r.run(), toTarget(m), ByteSize.of(m.uplinkBytes()), gap(m), m.privacy().describe(),
                    Double.isNaN(m.meanParticipation()) ? "not measured (no version after 0)"
                            : String.format(Locale.ROOT, "%.3f / %.3f", m.meanParticipation(), m.minParticipation()));
        }
        out.println();
    }

    /** E.g. {@code v5, 110.7 KiB} or {@code not reached in 15 versions}. */
    static String toTarget(FlSystemMetrics m) {
        return m.reached() ? String.format(Locale.ROOT, "v%d, %s", m.versionsToTarget(), ByteSize.of(m.uplinkBytesToTarget()))
                : String.format(Locale.ROOT, "not reached in %d versions", m.versions());
    }

    /** E.g. {@code +0.0031} or {@code not measured}. */
    static String gap(FlSystemMetrics m) {
        return Double.isNaN(m.centralized()) ? "not measured" : String.format(Locale.ROOT, "%+.4f", m.gap());
    }

    /** {@code {"config": {...}, "runs": [{"run": ..., "system_metrics": {...}}, ...]}}. */
    public void writeJson(Path file, Map<String, ?> config) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.set("config", mapper.valueToTree(config));
        ArrayNode runs = root.putArray("runs");
        for (Row r : rows) {
            ObjectNode run = runs.addObject().put("run", r.run());
            r.metrics().writeTo(run.putObject("system_metrics"));
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        mapper.writeValue(file.toFile(), root);
    }
}
