package io.floe.bench.robustness;

import io.floe.deploy.local.EmbeddedFloe;
import io.floe.deploy.local.FederatedRun;
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
import java.util.List;
import java.util.Locale;

/**
 * Runs the hospitals scenario for every rule variant, with no attacker and with each attack by
 * each number of attackers, through one real broker and one running aggregation job (a model id
 * per run), and writes {@code results.csv}, {@code results.md} and {@code heatmap.png}.
 */
public final class RobustnessExperiment {
    /** What to run. */
    public record Plan(Path data, int hospitals, int rounds, long seed, List<RuleVariant> rules, List<String> attacks,
            List<Integer> byzantineCounts, String architecture) {
    }

    private RobustnessExperiment() {
    }

    public static List<RobustnessResult> run(Plan plan, Path outDir, PrintStream log) throws Exception {
        HospitalsScenario scenario = HospitalsScenario.load(plan.data(), plan.hospitals(), plan.seed(), 0.5, 0.6);
        List<RobustnessResult> results = new ArrayList<>();
        int total = plan.rules().size() * (1 + plan.attacks().size() * (int) plan.byzantineCounts().stream().filter(b -> b > 0).count());
        long started = System.nanoTime();
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
                            rule.config(plan.hospitals()), ModelRegistration.training(0.1f, 2, 16), r[0], byzantine);
                    List<RoundRecord> history = FederatedRun.run(floe, scenario, settings, null);
                    RobustnessResult result = RobustnessResult.of(rule.label(), r[0], byzantine, plan.hospitals(), history);
                    results.add(result);
                    write(results, plan, outDir); // after every run, so an interrupted experiment keeps what it measured
                    log.printf(Locale.ROOT, "[%3d/%d %6.0fs] %-14s %-16s AUC %.4f  acc %.4f%s%s%n", n, total,
                            (System.nanoTime() - started) / 1e9, rule.label(), result.scenario(), result.auc(), result.accuracy(),
                            Double.isNaN(result.backdoorSuccess()) ? "" : String.format(Locale.ROOT, "  backdoor %.3f", result.backdoorSuccess()),
                            Double.isNaN(result.attackerDetectionRate()) ? ""
                                    : String.format(Locale.ROOT, "  attackers flagged %.0f%%", 100 * result.attackerDetectionRate()));
                }
            }
        }
        write(results, plan, outDir);
        return results;
    }

    static void write(List<RobustnessResult> results, Plan plan, Path outDir) throws IOException {
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
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
