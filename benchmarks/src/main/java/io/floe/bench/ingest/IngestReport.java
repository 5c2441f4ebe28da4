package io.floe.bench.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code ./floe bench ingest} writes: the JSON rows, the markdown table with how to read it, a line per case. */
final class IngestReport {
    private IngestReport() {
    }

    static void write(List<Map<String, Object>> rows, Path json, Path markdown, String command) throws IOException {
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), rows);
        if (markdown != null) {
            if (markdown.getParent() != null) {
                Files.createDirectories(markdown.getParent());
            }
            Files.writeString(markdown, markdown(rows, command));
        }
    }

    static String markdown(List<Map<String, Object>> rows, String command) {
        StringBuilder s = new StringBuilder();
        s.append("`").append(command).append("`\n\n");
        s.append("| case | state | ckpt ms | rounds | floe MB/s | produce MB/s | raw Kafka MB/s | floe / raw | latency p50 ms | p99 ms"
                + " | job heap peak | checkpoint after (max during) | status |\n");
        s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rows) {
            s.append("| ").append(r.get("case")).append(" | ").append(r.get("stateBackend")).append(" | ").append(r.get("checkpointIntervalMs"))
                    .append(" | ").append(r.get("roundsCompleted")).append("/").append(r.get("roundsPlanned"))
                    .append(" | ").append(num(r.get("floeMBps"), 1)).append(" | ").append(num(r.get("produceMBps"), 1))
                    .append(" | ").append(num(r.get("rawKafkaMBps"), 1)).append(" | ").append(num(r.get("floeVsRaw"), 2))
                    .append(" | ").append(num(r.get("latencyP50Ms"), 0)).append(" | ").append(num(r.get("latencyP99Ms"), 0))
                    .append(" | ").append(bytes(r.get("peakHeapBytes"))).append(" | ").append(bytes(r.get("checkpointBytes"))).append(" (max ").append(bytes(r.get("checkpointMaxBytes"))).append(")")
                    .append(" | ").append("ok".equals(r.get("status")) ? "ok" : "FAILED: " + r.get("failure")).append(" |\n");
        }
        s.append(authenticationCost(rows));
        s.append("\nLoad average (1 min) at the start of each case: ")
                .append(rows.stream().map(r -> String.valueOf(r.get("loadAverageAtStart"))).collect(java.util.stream.Collectors.joining(", ")))
                .append(" on ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs.\n");
        s.append("\nd parameters (float32), K clients, p = job parallelism; FedAvg unless the case names its rule (median, trimmed-mean"
                + " with beta = " + IngestCase.TRIM_FRACTION + " per side, krum, multi-krum or bulyan with the f in the case's name:"
                + " max(0, floor((K - 3) / 4)) Byzantine clients), chunks of ")
                .append(rows.isEmpty() ? "?" : rows.get(0).get("chunkBytes"))
                .append(" bytes, ").append(rows.isEmpty() ? "?" : rows.get(0).get("partitions"))
                .append(" partitions per topic. MB = 10^6 bytes of record values. floe MB/s: update bytes / (first record sent -> version"
                        + " readable), summed over rounds; produce MB/s: the same bytes / (first send -> last ack); raw: the same records to a"
                        + " plain topic, first send -> last consumed (read_committed). Latency: last record of the round acked -> manifest"
                        + " and every chunk of the new version read (read_committed); warm-up rounds (JSON warmupRounds) count in no figure. Job heap peak: the job JVM's (-Xmx) heap in use,"
                        + " at most; checkpoint: the latest completed checkpoint's full state size after the rounds (largest during them: JSON"
                        + " checkpointMaxBytes).\n");
        return s.toString();
    }

    /**
     * For each signed case, its floe MB/s and floe / raw next to the unsigned case run just before
     * it: what client authentication (a signed header per update, verified by the job) costs; with
     * several pairs, also the mean over them (the machine's noise between runs is larger than the cost).
     */
    static String authenticationCost(List<Map<String, Object>> rows) {
        StringBuilder s = new StringBuilder();
        Map<String, double[]> sums = new java.util.TreeMap<>(); // plain name -> {signed MB/s, unsigned MB/s, pairs}
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> signed = rows.get(i);
            String name = String.valueOf(signed.get("case"));
            if (!name.endsWith(" signed") || !(signed.get("floeMBps") instanceof Number a)) {
                continue;
            }
            String plain = name.substring(0, name.length() - " signed".length());
            for (int j = i - 1; j >= 0; j--) {
                Map<String, Object> r = rows.get(j);
                if (plain.equals(r.get("case")) && r.get("floeMBps") instanceof Number u) {
                    s.append(String.format(Locale.ROOT, "%nAuthentication at %s: floe %.1f MB/s signed vs %.1f unsigned just before (%.2f).%n",
                            plain, a.doubleValue(), u.doubleValue(), a.doubleValue() / u.doubleValue()));
                    double[] t = sums.computeIfAbsent(plain, k -> new double[3]);
                    t[0] += a.doubleValue();
                    t[1] += u.doubleValue();
                    t[2]++;
                    break;
                }
            }
        }
        sums.forEach((plain, t) -> {
            if (t[2] > 1) {
                s.append(String.format(Locale.ROOT, "%nAuthentication at %s over %d pairs: floe %.1f MB/s signed vs %.1f unsigned (%.3f).%n",
                        plain, (int) t[2], t[0] / t[2], t[1] / t[2], t[0] / t[1]));
            }
        });
        return s.toString();
    }

    static String num(Object v, int decimals) {
        if (!(v instanceof Number n)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", n.doubleValue());
    }

    static String bytes(Object v) {
        if (!(v instanceof Number n) || n.longValue() < 0) {
            return "-";
        }
        double b = n.doubleValue();
        if (b >= 1 << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (1 << 30));
        }
        return String.format(Locale.ROOT, "%.0f MiB", b / (1 << 20));
    }

    static String summary(Map<String, Object> r) {
        return String.format(Locale.ROOT, "%s: floe %s MB/s, raw %s MB/s, latency p50 %s / p99 %s ms, job heap peak %s, checkpoint %s, %s rounds",
                r.get("status"), num(r.get("floeMBps"), 1), num(r.get("rawKafkaMBps"), 1), num(r.get("latencyP50Ms"), 0),
                num(r.get("latencyP99Ms"), 0), bytes(r.get("peakHeapBytes")), bytes(r.get("checkpointBytes")), r.get("roundsCompleted"));
    }
}
