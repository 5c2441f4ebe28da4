package io.floe.bench.niid;

import io.floe.bench.SystemMetricsTable;
import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.TestScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes the non-IID experiment's results: {@code results.csv} (one row per run and per
 * baseline), {@code rounds.csv} (test accuracy of every version of every run), {@code results.md}
 * (the table docs/benchmarks.md quotes), one {@code accuracy-<partition>.png} per partition and
 * {@code system-metrics.json} (the four FL system metrics of every run, {@link SystemMetricsTable}).
 *
 * <p>The column "published" is Flower's NIID-Bench reproduction ({@link PublishedResults}): the
 * full NIID-Bench settings, so a quick profile's numbers are expected to fall below it.
 */
final class NiidReport {
    static final String PUBLISHED_NOTE = "published: " + PublishedResults.SOURCE + ".";

    private NiidReport() {
    }

    static void write(List<NiidCell> cells, NiidExperiment.BaselineScores baselines, NiidExperiment.Plan plan, Path outDir,
            double elapsedSeconds) throws IOException {
        Files.createDirectories(outDir);
        NiidProfile p = plan.profile();
        StringBuilder csv = new StringBuilder("partition,algorithm,final_version,final_accuracy,final_loss,best_accuracy,"
                + "target_accuracy,rounds_to_target,mean_round_seconds,run_seconds,published_accuracy,uplink_bytes_to_target,uplink_bytes,"
                + "gap_to_centralized,mean_participation,min_participation\n");
        StringBuilder rounds = new StringBuilder("partition,algorithm,version,accuracy,loss,participants,seconds\n");
        for (NiidCell c : cells) {
            long r = c.roundsTo(p.targetAccuracy());
            FlSystemMetrics m = c.systemMetrics(p.targetAccuracy(), baselines.centralized(), plan.clients());
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.6f,%.6f,%.2f,%s,%.3f,%.1f,%s,%s,%d,%s,%.4f,%.4f%n", c.partition(), c.algorithm(),
                    c.last().version(), c.finalAccuracy(), c.last().testLoss(), c.bestAccuracy(), p.targetAccuracy(),
                    r < 0 ? "" : Long.toString(r), c.meanRoundSeconds(), c.seconds(),
                    PublishedResults.format(c.partition(), c.algorithm()).replace("n/a", ""),
                    m.reached() ? Long.toString(m.uplinkBytesToTarget()) : "", m.uplinkBytes(),
                    Double.isNaN(m.gap()) ? "" : String.format(Locale.ROOT, "%.6f", m.gap()), m.meanParticipation(), m.minParticipation()));
            for (RoundRecord h : c.history()) {
                rounds.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.6f,%d,%.2f%n", c.partition(), c.algorithm(), h.version(),
                        h.testAccuracy(), h.testLoss(), h.participants(), h.seconds()));
            }
        }
        if (baselines.centralized() != null) {
            csv.append(String.format(Locale.ROOT, "all,centralised,,%.6f,%.6f,,,,,,%n", baselines.centralized().accuracy(),
                    baselines.centralized().logLoss()));
        }
        baselines.singleSites().forEach((partition, solo) -> {
            csv.append(String.format(Locale.ROOT, "%s,solo-mean,,%.6f,,,,,,,%n", partition,
                    solo.stream().mapToDouble(TestScores::accuracy).average().orElse(Double.NaN)));
            csv.append(String.format(Locale.ROOT, "%s,solo-best,,%.6f,,,,,,,%n", partition,
                    solo.stream().mapToDouble(TestScores::accuracy).max().orElse(Double.NaN)));
        });
        Files.writeString(outDir.resolve("results.csv"), csv);
        Files.writeString(outDir.resolve("rounds.csv"), rounds);
        Files.writeString(outDir.resolve("results.md"), markdown(cells, baselines, plan, elapsedSeconds));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("experiment", "niid");
        config.put("profile", p.describe());
        config.put("clients", plan.clients());
        config.put("seed", plan.seed());
        config.put("centralized_baseline", baselines.centralized() == null ? "not trained (--no-baselines)"
                : "same model and budget (rounds x local epochs) on all training rows");
        systemMetrics(cells, baselines, plan).writeJson(outDir.resolve("system-metrics.json"), config);
        Set<String> partitions = new LinkedHashSet<>();
        cells.forEach(c -> partitions.add(c.partition()));
        for (String partition : partitions) {
            NiidPlot.write(outDir.resolve("accuracy-" + partition.replace(':', '-') + ".png"), partition,
                    cells.stream().filter(c -> c.partition().equals(partition)).toList(), baselines.centralized(),
                    baselines.singleSites().get(partition), p);
        }
    }

    /** Every run's system metrics against the profile's target accuracy and the centralised baseline (when trained). */
    static SystemMetricsTable systemMetrics(List<NiidCell> cells, NiidExperiment.BaselineScores baselines, NiidExperiment.Plan plan) {
        SystemMetricsTable table = new SystemMetricsTable();
        for (NiidCell c : cells) {
            table.add(c.partition() + ", " + c.algorithm(), c.systemMetrics(plan.profile().targetAccuracy(), baselines.centralized(),
                    plan.clients()));
        }
        return table;
    }

    static String markdown(List<NiidCell> cells, NiidExperiment.BaselineScores baselines, NiidExperiment.Plan plan,
            double elapsedSeconds) {
        NiidProfile p = plan.profile();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Fashion-MNIST, %d clients, %s; seed %d; %d runs in %.0f s.%n%n", plan.clients(),
                p.describe(), plan.seed(), cells.size(), elapsedSeconds));
        md.append(String.format(Locale.ROOT, "| partition | algorithm | final test accuracy | best | rounds to %.0f%% |"
                + " uplink to %.0f%% | gap to centralised | s/round | published (full settings) |%n|---|---|---:|---:|---:|---:|---:|---:|---:|%n",
                100 * p.targetAccuracy(), 100 * p.targetAccuracy()));
        for (NiidCell c : cells) {
            long r = c.roundsTo(p.targetAccuracy());
            FlSystemMetrics m = c.systemMetrics(p.targetAccuracy(), baselines.centralized(), plan.clients());
            md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %s | %s | %s | %.1f | %s |%n", c.partition(), c.algorithm(),
                    c.finalAccuracy(), c.bestAccuracy(), r < 0 ? "not reached" : Long.toString(r),
                    m.reached() ? String.format(Locale.ROOT, "%.2f MiB", m.uplinkBytesToTarget() / 1048576.0) : "-",
                    Double.isNaN(m.gap()) ? "-" : String.format(Locale.ROOT, "%+.4f", m.gap()), c.meanRoundSeconds(),
                    PublishedResults.format(c.partition(), c.algorithm())));
        }
        if (baselines.centralized() != null || !baselines.singleSites().isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nBaselines, same model and budget (%d epochs):%n%n| baseline | partition |"
                    + " test accuracy |%n|---|---|---:|%n", p.rounds() * p.localEpochs()));
            if (baselines.centralized() != null) {
                md.append(String.format(Locale.ROOT, "| centralised (all training rows) | - | %.4f |%n", baselines.centralized().accuracy()));
            }
            baselines.singleSites().forEach((partition, solo) -> md.append(String.format(Locale.ROOT,
                    "| single client, mean / best | %s | %.4f / %.4f |%n", partition,
                    solo.stream().mapToDouble(TestScores::accuracy).average().orElse(Double.NaN),
                    solo.stream().mapToDouble(TestScores::accuracy).max().orElse(Double.NaN))));
        }
        md.append(System.lineSeparator()).append(PUBLISHED_NOTE).append(System.lineSeparator());
        return md.toString();
    }
}
