package io.floe.bench.compression;

import io.floe.deploy.local.EmbeddedFloe;
import io.floe.deploy.local.FederatedRun;
import io.floe.deploy.local.FederatedScenario;
import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.FmnistScenario;
import io.floe.deploy.local.HospitalsScenario;
import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.RunSettings;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.trainer.cli.AggregationOptions;
import io.floe.trainer.daemon.ModelRegistration;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Every {@link CompressionVariant#plan() variant} on the hospitals scenario, then on Fashion-MNIST,
 * each run through the real broker and the aggregation job (one {@link EmbeddedFloe} for all runs,
 * a model id per run), every client in every round. The settings are the demo's
 * ({@code ./floe demo} and {@code ./floe demo --scenario fmnist --partition dirichlet:0.5}) with
 * the variant's {@code --compression}, {@code --no-error-feedback} and {@code --rule}: a row here
 * and a demo run with the same options train the same models. Results are written after every
 * run, so an interrupted experiment keeps what it measured.
 */
public final class CompressionExperiment {
    /** Hospitals: the demo's model and client training (its options' defaults). */
    static final String HOSPITALS_MODEL = "mlp(30,16,1)";
    /** Fashion-MNIST: the demo's model and client training ({@code DemoCommand.FMNIST_*}). */
    static final String FMNIST_MODEL = "mlp(784,100,10)";
    static final String FMNIST_PARTITION = "dirichlet:0.5";
    static final double HOSPITALS_TARGET_AUC = 0.98;
    static final double FMNIST_TARGET_ACCURACY = 0.80;
    private static final int CLIENTS = 10;

    /**
     * @param wdbc the WDBC CSV
     * @param fmnistDir the Fashion-MNIST IDX directory
     * @param profile the data and rounds
     * @param variants the rows, usually {@link CompressionVariant#plan()}
     * @param seed seeds splits, initial weights and shuffling (the demo's default is 42)
     * @param scenarios which of {@code hospitals} and {@code fmnist} to run
     */
    public record Plan(Path wdbc, Path fmnistDir, CompressionProfile profile, List<CompressionVariant> variants, long seed,
            List<String> scenarios) {
        public Plan {
            for (String s : scenarios) {
                if (!s.equals("hospitals") && !s.equals("fmnist")) {
                    throw new IllegalArgumentException("unknown scenario '" + s + "'; use hospitals and/or fmnist");
                }
            }
            if (variants.isEmpty()) {
                throw new IllegalArgumentException("no variants to run");
            }
        }
    }

    private CompressionExperiment() {
    }

    /** Runs the plan; writes {@code json} and, next to it, results.csv, rounds.csv, results.md and the plots. */
    public static List<CompressionRun> run(Plan plan, Path json, PrintStream log) throws Exception {
        long started = System.nanoTime();
        CompressionProfile p = plan.profile();
        log.println("bench compression: " + p.describe() + "; " + plan.variants().size() + " variants per scenario, seed " + plan.seed());
        List<CompressionRun> runs = new ArrayList<>();
        int total = plan.variants().size() * plan.scenarios().size();
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(500), "0")) {
            int n = 0;
            for (String name : plan.scenarios()) {
                boolean fmnist = name.equals("fmnist");
                long loading = System.nanoTime();
                FederatedScenario scenario = fmnist
                        ? FmnistScenario.load(plan.fmnistDir(), CLIENTS, FMNIST_PARTITION, plan.seed(), p.fmnistTrainRows(), 0)
                        : HospitalsScenario.load(plan.wdbc(), CLIENTS, plan.seed(), 0.5, 0.6);
                log.printf(Locale.ROOT, "[%6.0fs] %s: %d sites loaded in %.1f s%n", (System.nanoTime() - started) / 1e9, name,
                        scenario.sites().size(), (System.nanoTime() - loading) / 1e9);
                FlSystemMetrics.Target target = fmnist ? FlSystemMetrics.Target.accuracy(FMNIST_TARGET_ACCURACY)
                        : FlSystemMetrics.Target.auc(HOSPITALS_TARGET_AUC);
                CompressionRun dense = null;
                for (CompressionVariant v : plan.variants()) {
                    n++;
                    RunSettings s = new RunSettings(String.format(Locale.ROOT, "compression-%02d-%s", n, name),
                            fmnist ? FMNIST_MODEL : HOSPITALS_MODEL, plan.seed(), fmnist ? p.fmnistRounds() : p.hospitalsRounds(),
                            aggregation(v.rule()), v.training(fmnist ? FMNIST_TRAINING : HOSPITALS_TRAINING), "none", 0);
                    long t0 = System.nanoTime();
                    List<RoundRecord> h = FederatedRun.run(floe, scenario, s, null);
                    CompressionRun run = new CompressionRun(name, v, target, h, (System.nanoTime() - t0) / 1e9);
                    runs.add(run);
                    if (dense == null && v.dense() && v.rule().equals("fedavg")) {
                        dense = run;
                    }
                    log.printf(Locale.ROOT, "[%2d/%d %6.0fs] %-9s %-40s %s %.4f, target at %s, uplink %s (%s vs dense), %.0f s%n", n,
                            total, (System.nanoTime() - started) / 1e9, name, v.label(), fmnist ? "accuracy" : "AUC", run.finalScore(),
                            run.versionToTarget() < 0 ? "-" : "v" + run.versionToTarget(),
                            FlSystemMetrics.ByteSize.of(run.uplinkBytes()),
                            dense == null ? "?" : String.format(Locale.ROOT, "%.1fx", run.reductionAgainst(dense)), run.seconds());
                    CompressionReport.write(runs, plan, json, (System.nanoTime() - started) / 1e9);
                }
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        CompressionReport.write(runs, plan, json, elapsed);
        log.println();
        log.print(CompressionReport.markdown(runs, plan));
        log.printf(Locale.ROOT, "bench compression: %d runs in %.0f s%n", runs.size(), elapsed);
        return runs;
    }

    /** Hospitals: {@code ./floe demo}'s client training (lr 0.1, 2 local epochs, batch 16, no momentum). */
    static final ClientTrainingConfig HOSPITALS_TRAINING = ModelRegistration.training(0.1f, 2, 16, 0f);
    /** Fashion-MNIST: {@code ./floe demo --scenario fmnist}'s (NIID-Bench's client optimiser, lr 0.01, momentum 0.9). */
    static final ClientTrainingConfig FMNIST_TRAINING = ModelRegistration.training(0.01f, 2, 32, 0.9f);

    /**
     * The demo's aggregation options (their defaults) with {@code rule}, and no example cap: the
     * experiment's recorded figures (docs/compression.md) were measured before the demo capped
     * example counts by default.
     */
    static AggregationConfig aggregation(String rule) {
        AggregationOptions options = CommandLine.populateCommand(new AggregationOptions());
        options.rule = rule;
        options.exampleCap = "none";
        return options.toConfig(CLIENTS, 1);
    }
}
