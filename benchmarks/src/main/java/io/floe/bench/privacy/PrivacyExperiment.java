package io.floe.bench.privacy;

import io.floe.bench.SystemMetricsTable;
import io.floe.deploy.local.Baselines;
import io.floe.deploy.local.EmbeddedFloe;
import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.FederatedRun;
import io.floe.deploy.local.HospitalsScenario;
import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.RunSettings;
import io.floe.deploy.local.TestScores;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.TrainingConfig;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.data.LabelSkewPartitioner;
import io.floe.schema.AggregationConfig;
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
 * Privacy-utility curves on WDBC through the real broker and job:
 * <ul>
 *   <li>local DP-SGD (Abadi et al. 2016) inside each of the 10 non-IID hospitals, each trainer
 *       budgeted to a target epsilon over the run, FedAvg on the server;
 *   <li>central DP-FedAvg (McMahan et al. 2018, adaptive clipping of Andrew et al. 2021) with many
 *       small clients (near-IID), for a range of noise multipliers; epsilon from the job's ledger
 *       (q = 1: every client takes part in every round).
 * </ul>
 * Every run's four FL system metrics ({@link SystemMetricsTable}: test AUC target, the gap to a
 * centralised baseline without DP of the same model and epochs on each setting's pooled data, the
 * (epsilon, delta) spent) are printed at the end and written to {@code system-metrics.json}.
 */
public final class PrivacyExperiment {
    /** What to run; {@code targetAuc} is the system metrics' communication target. */
    public record Plan(Path data, int rounds, long seed, List<Double> localEpsilons, List<Double> centralNoise, int centralClients,
            double delta, double targetAuc) {
    }

    private static final String MODEL = "mlp(30,16,1)";
    private static final float LEARNING_RATE = 0.1f;
    private static final int LOCAL_EPOCHS = 2;
    private static final int BATCH_SIZE = 16;

    private PrivacyExperiment() {
    }

    public static List<PrivacyPoint> run(Plan plan, Path outDir, PrintStream log) throws Exception {
        List<PrivacyPoint> points = new ArrayList<>();
        long started = System.nanoTime();
        HospitalsScenario hospitals = HospitalsScenario.load(plan.data(), 10, plan.seed(), 0.5, 0.6);
        HospitalsScenario many = HospitalsScenario.load(plan.data(), LabelSkewPartitioner.builder().sites(plan.centralClients())
                .alpha(10).sizeSigma(0.3).minSiteSize(6).minPerClass(1).seed(plan.seed()).build());
        TestScores hospitalsCentral = centralized(hospitals, plan);
        TestScores manyCentral = centralized(many, plan);
        log.printf(Locale.ROOT, "centralised baselines without DP (%s, %d epochs on the pooled data): test AUC %.4f (10 hospitals' data),"
                + " %.4f (%d clients' data), %.0fs%n", MODEL, plan.rounds() * LOCAL_EPOCHS, hospitalsCentral.auc(), manyCentral.auc(),
                plan.centralClients(), (System.nanoTime() - started) / 1e9);
        SystemMetricsTable system = new SystemMetricsTable();
        FlSystemMetrics.Target target = FlSystemMetrics.Target.auc(plan.targetAuc());
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0")) {
            int n = 0;
            List<Double> local = new ArrayList<>(plan.localEpsilons());
            local.add(Double.POSITIVE_INFINITY);
            for (double eps : local) {
                boolean dp = Double.isFinite(eps);
                RunSettings s = new RunSettings(String.format(Locale.ROOT, "privacy-local-%d", n++), MODEL, plan.seed(),
                        plan.rounds(), AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(10).build(),
                        ModelRegistration.training(LEARNING_RATE, LOCAL_EPOCHS, BATCH_SIZE), "none", 0,
                        dp ? new RunSettings.LocalDp(eps, 1.0, plan.delta()) : null);
                List<RoundRecord> h = FederatedRun.run(floe, hospitals, s, null);
                RoundRecord last = h.get(h.size() - 1);
                PrivacyPoint p = new PrivacyPoint("local DP-SGD", 10, dp ? eps : Double.NaN,
                        dp ? eps : Double.POSITIVE_INFINITY, plan.delta(), last.testAuc(), last.testAccuracy(), last.version());
                points.add(p);
                system.add(String.format(Locale.ROOT, "local DP-SGD, %s", dp ? "target epsilon " + eps : "no DP"),
                        FlSystemMetrics.of(h, target, hospitalsCentral, 10, Double.NaN, plan.delta()));
                log(log, p, started);
                write(points, plan, system, outDir);
            }
            List<Double> central = new ArrayList<>(plan.centralNoise());
            central.add(0.0);
            for (double z : central) {
                AggregationConfig.Builder agg = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(plan.centralClients());
                if (z > 0) {
                    agg.setDpNoiseMultiplier(z).setDpClipNorm(0.5).setDpAdaptiveClipping(true).setDpDelta(plan.delta());
                }
                RunSettings s = new RunSettings(String.format(Locale.ROOT, "privacy-central-%d", n++), MODEL, plan.seed(),
                        plan.rounds(), agg.build(), ModelRegistration.training(LEARNING_RATE, LOCAL_EPOCHS, BATCH_SIZE), "none", 0);
                List<RoundRecord> h = FederatedRun.run(floe, many, s, null);
                RoundRecord last = h.get(h.size() - 1);
                PrivacyPoint p = new PrivacyPoint("central DP", plan.centralClients(), z > 0 ? z : Double.NaN,
                        z > 0 ? last.epsilon() : Double.POSITIVE_INFINITY, plan.delta(), last.testAuc(), last.testAccuracy(),
                        last.version());
                points.add(p);
                system.add(String.format(Locale.ROOT, "central DP, %d clients, %s", plan.centralClients(), z > 0 ? "z " + z : "no DP"),
                        FlSystemMetrics.of(h, target, manyCentral, plan.centralClients(), plan.delta(), Double.NaN));
                log(log, p, started);
                write(points, plan, system, outDir);
            }
        }
        log.println();
        system.print(log);
        return points;
    }

    /** The pooled-data model without DP, the same model and epochs as every run (rounds x local epochs). */
    private static TestScores centralized(HospitalsScenario scenario, Plan plan) {
        return Baselines.centralized(scenario, Architecture.parse(MODEL), plan.seed(),
                new TrainingConfig(LEARNING_RATE, LOCAL_EPOCHS, BATCH_SIZE, plan.seed()), plan.rounds());
    }

    private static void log(PrintStream log, PrivacyPoint p, long started) {
        log.printf(Locale.ROOT, "[%5.0fs] %-13s %3d clients  %s  epsilon %8s  AUC %.4f  acc %.4f  (v%d)%n",
                (System.nanoTime() - started) / 1e9, p.setting(), p.clients(),
                Double.isNaN(p.parameter()) ? "no DP       " : (p.setting().startsWith("local")
                        ? String.format(Locale.ROOT, "target %4.1f", p.parameter())
                        : String.format(Locale.ROOT, "z %9.2f", p.parameter())),
                Double.isInfinite(p.epsilon()) ? "inf" : String.format(Locale.ROOT, "%.3f", p.epsilon()), p.auc(), p.accuracy(),
                p.versions());
    }

    static void write(List<PrivacyPoint> points, Plan plan, SystemMetricsTable system, Path outDir) throws java.io.IOException {
        Files.createDirectories(outDir);
        StringBuilder csv = new StringBuilder("setting,clients,parameter,epsilon,delta,auc,accuracy,versions\n");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "WDBC, mlp(30,16,1), %d rounds, seed %d, delta %.0e.%n%n| setting | clients | target eps / z | epsilon spent | test AUC | test accuracy |%n|---|---:|---:|---:|---:|---:|%n",
                plan.rounds(), plan.seed(), plan.delta()));
        for (PrivacyPoint p : points) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%.0e,%.6f,%.6f,%d%n", p.setting(), p.clients(),
                    Double.isNaN(p.parameter()) ? "" : String.valueOf(p.parameter()),
                    Double.isInfinite(p.epsilon()) ? "inf" : String.format(Locale.ROOT, "%.6f", p.epsilon()), p.delta(), p.auc(),
                    p.accuracy(), p.versions()));
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.4f | %.4f |%n", p.setting(), p.clients(),
                    Double.isNaN(p.parameter()) ? "no DP" : String.valueOf(p.parameter()),
                    Double.isInfinite(p.epsilon()) ? "∞" : String.format(Locale.ROOT, "%.3f", p.epsilon()), p.auc(), p.accuracy()));
        }
        Files.writeString(outDir.resolve("results.csv"), csv);
        Files.writeString(outDir.resolve("results.md"), md);
        PrivacyPlot.write(outDir.resolve("privacy-utility.png"), points);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("experiment", "privacy");
        config.put("rounds", plan.rounds());
        config.put("seed", plan.seed());
        config.put("model", MODEL);
        config.put("learning_rate", LEARNING_RATE);
        config.put("local_epochs", LOCAL_EPOCHS);
        config.put("batch_size", BATCH_SIZE);
        config.put("delta", plan.delta());
        config.put("central_clients", plan.centralClients());
        config.put("centralized_baseline", "same model and seed without DP, rounds x local epochs on each setting's pooled training data");
        system.writeJson(outDir.resolve("system-metrics.json"), config);
    }
}
