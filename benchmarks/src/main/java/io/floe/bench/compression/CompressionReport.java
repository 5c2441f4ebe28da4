package io.floe.bench.compression;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.floe.deploy.local.FlSystemMetrics.ByteSize;
import io.floe.deploy.local.RoundRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The files of {@code bench compression}: the JSON named on the command line and, in its folder,
 * {@code results.csv} (a line per run), {@code rounds.csv} (a line per run and version: score and
 * cumulative uplink bytes), {@code results.md} (a table per scenario, as docs/compression.md
 * shows it) and {@code <scenario>-score-vs-bytes.png}. "vs dense" is the run's uplink bytes in all
 * against the dense FedAvg run of the same scenario.
 */
final class CompressionReport {
    private CompressionReport() {
    }

    static void write(List<CompressionRun> runs, CompressionExperiment.Plan plan, Path json, double seconds) throws IOException {
        Path dir = json.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("scenario,rule,compression,error_feedback,metric,final_score,target,version_to_target,"
                + "uplink_bytes_to_target,uplink_bytes,dense_uplink_bytes,reduction_vs_dense,rounds,seconds\n");
        StringBuilder rounds = new StringBuilder("scenario,rule,compression,error_feedback,version,score,cumulative_uplink_bytes\n");
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ObjectNode config = root.putObject("config");
        config.put("experiment", "compression");
        config.put("profile", plan.profile().name());
        config.put("seed", plan.seed());
        config.put("clients", 10);
        config.put("hospitals", String.format(Locale.ROOT, "%s, %d rounds, lr 0.1, 2 local epochs, batch 16, label skew 0.5,"
                + " size skew 0.6 (./floe demo)", CompressionExperiment.HOSPITALS_MODEL, plan.profile().hospitalsRounds()));
        config.put("fmnist", String.format(Locale.ROOT, "%s, %s, %s training images, %d rounds, lr 0.01, momentum 0.9, 2 local epochs,"
                + " batch 32 (./floe demo --scenario fmnist)", CompressionExperiment.FMNIST_MODEL, CompressionExperiment.FMNIST_PARTITION,
                plan.profile().fmnistTrainRows() == 0 ? "all" : Integer.toString(plan.profile().fmnistTrainRows()),
                plan.profile().fmnistRounds()));
        config.put("uplink_bytes", "Avro single-object encoding of each aggregated ModelUpdate (Kafka record value)");
        config.put("seconds", Math.round(seconds));
        ArrayNode array = root.putArray("runs");
        for (CompressionRun r : runs) {
            CompressionVariant v = r.variant();
            Optional<CompressionRun> dense = denseOf(runs, r.scenario());
            double reduction = dense.map(r::reductionAgainst).orElse(Double.NaN);
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%.6f,%.2f,%d,%d,%d,%d,%s,%d,%.1f%n", r.scenario(), v.rule(),
                    v.compression(), v.dense() ? "" : Boolean.toString(v.errorFeedback()), r.target().metric(), r.finalScore(),
                    r.target().threshold(), r.versionToTarget(), r.bytesToTarget(), r.uplinkBytes(), r.denseUplinkBytes(),
                    Double.isNaN(reduction) ? "" : String.format(Locale.ROOT, "%.2f", reduction), r.last().version(), r.seconds()));
            ObjectNode o = array.addObject();
            o.put("scenario", r.scenario());
            o.put("rule", v.rule());
            o.put("compression", v.compression());
            o.put("error_feedback", v.errorFeedback());
            o.put("metric", r.target().metric());
            o.put("final_score", r.finalScore());
            o.put("target", r.target().threshold());
            o.put("version_to_target", r.versionToTarget());
            o.put("uplink_bytes_to_target", r.bytesToTarget());
            o.put("uplink_bytes", r.uplinkBytes());
            o.put("dense_uplink_bytes", r.denseUplinkBytes());
            if (Double.isNaN(reduction)) {
                o.putNull("reduction_vs_dense");
            } else {
                o.put("reduction_vs_dense", reduction);
            }
            o.put("seconds", r.seconds());
            ArrayNode versions = o.putArray("versions");
            long[] cumulative = r.cumulativeBytes();
            for (int i = 0; i < r.history().size(); i++) {
                RoundRecord h = r.history().get(i);
                versions.addObject().put("version", h.version()).put("score", r.score(h)).put("cumulative_uplink_bytes", cumulative[i]);
                rounds.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.6f,%d%n", r.scenario(), v.rule(), v.compression(),
                        v.dense() ? "" : Boolean.toString(v.errorFeedback()), h.version(), r.score(h), cumulative[i]));
            }
        }
        mapper.writeValue(json.toFile(), root);
        Files.writeString(dir.resolve("results.csv"), csv);
        Files.writeString(dir.resolve("rounds.csv"), rounds);
        Files.writeString(dir.resolve("results.md"), markdown(runs, plan));
        for (String scenario : plan.scenarios()) {
            List<CompressionRun> mine = runs.stream().filter(r -> r.scenario().equals(scenario)).toList();
            if (!mine.isEmpty()) {
                ScoreVersusBytesPlot.write(dir.resolve(scenario + "-score-vs-bytes.png"), scenario, mine);
            }
        }
    }

    /** A table per scenario: final score, the version and bytes at which it reached the target, bytes in all, vs dense. */
    static String markdown(List<CompressionRun> runs, CompressionExperiment.Plan plan) {
        StringBuilder md = new StringBuilder();
        for (String scenario : plan.scenarios()) {
            List<CompressionRun> mine = runs.stream().filter(r -> r.scenario().equals(scenario)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            CompressionRun first = mine.get(0);
            String metric = "auc".equals(first.target().metric()) ? "AUC" : "accuracy";
            md.append(String.format(Locale.ROOT, "%s (%s):%n%n", scenario, plan.profile().describe()));
            md.append(String.format(Locale.ROOT, "| rule | `--compression` | error feedback | final test %s | %s >= %.2f at | uplink in all"
                    + " | vs dense |%n", metric, metric, first.target().threshold()));
            md.append("|---|---|---|---:|---|---:|---:|\n");
            Optional<CompressionRun> dense = denseOf(runs, scenario);
            for (CompressionRun r : mine) {
                CompressionVariant v = r.variant();
                double reduction = dense.map(r::reductionAgainst).orElse(Double.NaN);
                md.append(String.format(Locale.ROOT, "| %s | `%s` | %s | %.4f | %s | %s | %s |%n", v.rule(), v.compression(),
                        v.dense() ? "-" : v.errorFeedback() ? "yes" : "no", r.finalScore(),
                        r.versionToTarget() < 0 ? "not reached" : "v" + r.versionToTarget() + ", " + ByteSize.of(r.bytesToTarget()),
                        ByteSize.of(r.uplinkBytes()), Double.isNaN(reduction) ? "-" : String.format(Locale.ROOT, "%.1fx", reduction)));
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The scenario's dense FedAvg run, the reference of "vs dense". */
    static Optional<CompressionRun> denseOf(List<CompressionRun> runs, String scenario) {
        return runs.stream().filter(r -> r.scenario().equals(scenario) && r.variant().dense() && r.variant().rule().equals("fedavg"))
                .findFirst();
    }
}
