package io.floe.bench.robustness;

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
 * Runs the hospitals scenario for every rule variant, with no attacker and with each attack by
 * each number of attackers, through one real broker and one running aggregation job (a model id
 * per run), and writes {@code results.csv}, {@code results.md} and {@code heatmap.png}. Every run's
 * four FL system metrics ({@link SystemMetricsTable}: test AUC target, centralised gap against one
 * centralised baseline of the same model and epochs, trained first) are printed at the end and
 * written to {@code system-metrics.json}.
 */
public final class RobustnessExperiment {
    /** What to run; {@code targetAuc} is the system metrics' communication target. */
    public record Plan(Path data, int hospitals, int rounds, long seed, List<RuleVariant> rules, List<String> attacks,
            List<Integer> byzantineCounts, String architecture, double targetAuc) {
    }

    private static final float LEARNING_RATE = 0.1f;
    private static final int LOCAL_EPOCHS = 2;
    private static final int BATCH_SIZE = 16;

    private RobustnessExperiment() {
    }

    public static List<RobustnessResult> run(Plan plan, Path outDir, PrintStream log) throws Exception {
        HospitalsScenario scenario = HospitalsScenario.load(plan.data(), plan.hospitals(), plan.seed(), 0.5, 0.6);
        List<RobustnessResult> results = new ArrayList<>();
        int total = plan.rules().size() * (1 + plan.attacks().size() * (int) plan.byzantineCounts().stream().filter(b -> b > 0).count());
        long started = System.nanoTime();
        TestScores central = Baselines.centralized(scenario, Architecture.parse(plan.architecture()), plan.seed(),
                new TrainingConfig(LEARNING_RATE, LOCAL_EPOCHS, BATCH_SIZE, plan.seed()), plan.rounds());
        log.printf(Locale.ROOT, "centralised baseline (%s, %d epochs on the pooled data): test AUC %.4f, accuracy %.4f, %.0fs%n",
                plan.architecture(), plan.rounds() * LOCAL_EPOCHS, central.auc(), central.accuracy(), (System.nanoTime() - started) / 1e9);
        SystemMetricsTable system = new SystemMetricsTable();
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0")) {
            int n = 0;
            for (RuleVariant rule : plan.rules()) {
                List<String[]> runs = new ArrayList<>();
                runs.add(new String[] {"none", "0"});
                for (String attack : plan.attacks()) {
                    for (int b : plan.byzantineCounts()) {
                        if (b > 0) {
                            runs.add(new String[] {attack, String.valueOf(b)});
                        }
                    }
                }
                for (String[] r : runs) {
                    n++;
                    int byzantine = Integer.parseInt(r[1]);
                    String modelId = String.format(Locale.ROOT, "robust-%03d-%s-%s-%d", n, rule.label(), r[0], byzantine);
                    RunSettings settings = new RunSettings(modelId, plan.architecture(), plan.seed(), plan.rounds(),
                            rule.config(plan.hospitals()), ModelRegistration.training(LEARNING_RATE, LOCAL_EPOCHS, BATCH_SIZE), r[0],
                            byzantine);
                    List<RoundRecord> history = FederatedRun.run(floe, scenario, settings, null);
                    RobustnessResult result = RobustnessResult.of(rule.label(), r[0], byzantine, plan.hospitals(), history);
                    results.add(result);
                    system.add(rule.label() + ", " + result.scenario(), FlSystemMetrics.of(history,
                            FlSystemMetrics.Target.auc(plan.targetAuc()), central, plan.hospitals(), Double.NaN, Double.NaN));
                    write(results, plan, system, outDir); // after every run, so an interrupted experiment keeps what it measured
                    log.printf(Locale.ROOT, "[%3d/%d %6.0fs] %-14s %-16s AUC %.4f  acc %.4f%s%s%n", n, total,
                            (System.nanoTime() - started) / 1e9, rule.label(), result.scenario(), result.auc(), result.accuracy(),
                            Double.isNaN(result.backdoorSuccess()) ? "" : String.format(Locale.ROOT, "  backdoor %.3f", result.backdoorSuccess()),
                            Double.isNaN(result.attackerDetectionRate()) ? ""
                                    : String.format(Locale.ROOT, "  attackers flagged %.0f%%", 100 * result.attackerDetectionRate()));
                }
            }
        }
        write(results, plan, system, outDir);
        log.println();
        system.print(log);
        return results;
    }

    static void write(List<RobustnessResult> results, Plan plan, SystemMetricsTable system, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        StringBuilder csv = new StringBuilder(
                "rule,attack,byzantine,auc,accuracy,backdoor_success,attacker_flag_rate,honest_flag_rate,rounds,seconds\n");
        for (RobustnessResult r : results) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.6f,%s,%s,%s,%d,%.1f%n", r.rule(), r.attack(), r.byzantine(),
                    r.auc(), r.accuracy(), num(r.backdoorSuccess()), num(r.attackerDetectionRate()), num(r.honestFlagRate()),
                    r.rounds(), r.seconds()));
        }
        Files.writeString(outDir.resolve("results.csv"), csv);
        Files.writeString(outDir.resolve("results.md"), RobustnessTable.markdown(results, plan));
        RobustnessHeatMap.write(outDir.resolve("heatmap.png"), results, plan);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("experiment", "robustness");
        config.put("hospitals", plan.hospitals());
        config.put("rounds", plan.rounds());
        config.put("seed", plan.seed());
        config.put("model", plan.architecture());
        config.put("learning_rate", LEARNING_RATE);
        config.put("local_epochs", LOCAL_EPOCHS);
        config.put("batch_size", BATCH_SIZE);
        config.put("centralized_baseline", "same model and seed, rounds x local epochs on the pooled training data");
        system.writeJson(outDir.resolve("system-metrics.json"), config);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
