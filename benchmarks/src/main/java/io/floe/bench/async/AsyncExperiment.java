package io.floe.bench.async;

import io.floe.bench.SystemMetricsTable;
import io.floe.deploy.local.ClientConditions;
import io.floe.deploy.local.EmbeddedFloe;
import io.floe.deploy.local.FederatedRun;
import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.HospitalsScenario;
import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.RunSettings;
import io.floe.trainer.daemon.ModelRegistration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sync rounds (with and without a deadline), FedAsync and FedBuff on the hospitals scenario with
 * simulated stragglers and dropouts, through the real broker and job: each variant trains for the
 * same wall-clock budget, and the table gives seconds and versions to a target test AUC, the final
 * AUC, how many updates were used or came too late, and their mean staleness; curves.csv holds
 * every version's (seconds since version 0, test AUC). The tables also carry the system metrics that a
 * time-bound run has inputs for ({@link FlSystemMetrics}): uplink bytes to the target and participation;
 * the gap to centralised training is left out (no epoch budget to match) and privacy is none.
 * {@code system-metrics.json} holds all four per run ({@link SystemMetricsTable}; the gap as
 * "not measured"), and the same table is printed at the end.
 */
public final class AsyncExperiment {
    /**
     * @param durationSeconds wall-clock budget of each run, from registration
     * @param latencyMs simulated local-round time of a normal device
     * @param stragglers e.g. {@code 0.3:10x}
     * @param dropouts dropout probabilities, one scenario each
     */
    public record Plan(Path data, long seed, double durationSeconds, double targetAuc, long latencyMs, String stragglers,
            List<Double> dropouts, List<String> variants, long deadlineMs, int bufferSize) {
    }

    private static final int CLIENTS = 10;

    private AsyncExperiment() {
    }

    public static List<AsyncResult> run(Plan plan, Path outDir, PrintStream log) throws Exception {
        HospitalsScenario scenario = HospitalsScenario.load(plan.data(), CLIENTS, plan.seed(), 0.5, 0.6);
        List<AsyncResult> results = new ArrayList<>();
        long started = System.nanoTime();
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0")) {
            int n = 0;
            for (double dropout : plan.dropouts()) {
                ClientConditions conditions = new ClientConditions(plan.latencyMs(), 0, 1, dropout, plan.durationSeconds())
                        .withStragglers(plan.stragglers());
                for (String name : plan.variants()) {
                    AsyncVariant v = AsyncVariant.named(name, CLIENTS, plan.deadlineMs(), plan.bufferSize());
                    RunSettings s = new RunSettings(String.format(Locale.ROOT, "async-%d", n++), "mlp(30,16,1)", plan.seed(),
                            1_000_000, v.config(), ModelRegistration.training(0.1f, 2, 16), "none", 0, null, conditions);
                    List<RoundRecord> h = FederatedRun.run(floe, scenario, s, null);
                    AsyncResult r = AsyncResult.of(v, dropout, h, plan.targetAuc(), CLIENTS);
                    results.add(r);
                    log.printf(Locale.ROOT, "[%5.0fs] dropout %.2f  %-13s  target %s  final AUC %.4f  %5d versions  %5d used  %4d late%n",
                            (System.nanoTime() - started) / 1e9, dropout, v.name(),
                            Double.isNaN(r.secondsToTarget()) ? "never" : String.format(Locale.ROOT, "%.1f s (v%d)",
                                    r.secondsToTarget(), r.versionsToTarget()),
                            r.finalAuc(), r.versions(), r.updatesUsed(), r.updatesLate());
                    write(results, plan, conditions, outDir);
                }
            }
        }
        log.println();
        systemMetrics(results).print(log);
        return results;
    }

    static void write(List<AsyncResult> results, Plan plan, ClientConditions conditions, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        StringBuilder csv = new StringBuilder("variant,config,dropout,seconds_to_target,versions_to_target,final_auc,versions,"
                + "updates_used,updates_late,mean_staleness,uplink_bytes_to_target,uplink_bytes,mean_participation,min_participation\n");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "10 WDBC hospitals, mlp(30,16,1), seed %d; devices: %d ms per local round, stragglers %s; %.0f s per run; "
                        + "target test AUC %.3f.%n%n| dropout | variant | server | to target (s) | versions to target | speed-up vs sync "
                        + "| final AUC | versions | updates used | late/stale | mean staleness | uplink to target | participation mean / min |%n"
                        + "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n",
                plan.seed(), plan.latencyMs(), plan.stragglers(), plan.durationSeconds(), plan.targetAuc()));
        for (AsyncResult r : results) {
            double syncTime = results.stream().filter(o -> o.dropout() == r.dropout() && o.variant().name().equals("sync"))
                    .mapToDouble(AsyncResult::secondsToTarget).findFirst().orElse(Double.NaN);
            String speedup = Double.isNaN(r.secondsToTarget()) ? "-" : Double.isNaN(syncTime) ? "(sync never)"
                    : String.format(Locale.ROOT, "%.1fx", syncTime / r.secondsToTarget());
            FlSystemMetrics m = r.system();
            csv.append(String.format(Locale.ROOT, "%s,\"%s\",%.2f,%s,%d,%.6f,%d,%d,%d,%.3f,%s,%d,%.4f,%.4f%n", r.variant().name(),
                    r.variant().describe(), r.dropout(), Double.isNaN(r.secondsToTarget()) ? "" : String.format(Locale.ROOT, "%.2f",
                            r.secondsToTarget()), r.versionsToTarget(), r.finalAuc(), r.versions(), r.updatesUsed(), r.updatesLate(),
                    r.meanStaleness(), m.reached() ? Long.toString(m.uplinkBytesToTarget()) : "", m.uplinkBytes(), m.meanParticipation(),
                    m.minParticipation()));
            md.append(String.format(Locale.ROOT, "| %.2f | %s | %s | %s | %s | %s | %.4f | %d | %d | %d | %.2f | %s | %.2f / %.2f |%n",
                    r.dropout(),
                    r.variant().name(), r.variant().describe(),
                    Double.isNaN(r.secondsToTarget()) ? "never" : String.format(Locale.ROOT, "%.1f", r.secondsToTarget()),
                    r.versionsToTarget() < 0 ? "-" : Long.toString(r.versionsToTarget()), speedup, r.finalAuc(), r.versions(),
                    r.updatesUsed(), r.updatesLate(), r.meanStaleness(), m.reached() ? kib(m.uplinkBytesToTarget()) : "-",
                    m.meanParticipation(), m.minParticipation()));
        }
        Files.writeString(outDir.resolve("results.csv"), csv);
        StringBuilder curves = new StringBuilder("variant,dropout,seconds,auc\n");
        for (AsyncResult r : results) {
            for (double[] p : r.curve()) {
                curves.append(String.format(Locale.ROOT, "%s,%.2f,%.3f,%.6f%n", r.variant().name(), r.dropout(), p[0], p[1]));
            }
        }
        Files.writeString(outDir.resolve("curves.csv"), curves);
        Files.writeString(outDir.resolve("results.md"), md);
        AsyncPlot.write(outDir, results, plan.targetAuc());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("experiment", "async");
        config.put("clients", CLIENTS);
        config.put("seed", plan.seed());
        config.put("seconds_per_run", plan.durationSeconds());
        config.put("client_latency_ms", plan.latencyMs());
        config.put("stragglers", plan.stragglers());
        config.put("centralized_baseline", "not trained: a run is bounded by time, not by an epoch budget a baseline could match");
        systemMetrics(results).writeJson(outDir.resolve("system-metrics.json"), config);
    }

    private static SystemMetricsTable systemMetrics(List<AsyncResult> results) {
        SystemMetricsTable table = new SystemMetricsTable();
        results.forEach(r -> table.add(String.format(Locale.ROOT, "%s, dropout %.2f", r.variant().name(), r.dropout()), r.system()));
        return table;
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
