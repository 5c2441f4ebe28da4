package io.floe.deploy.local;

import io.floe.core.spec.Architecture;
import io.floe.trainer.model.TrainingConfig;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded demo on Fashion-MNIST: N clients, each holding a NIID-Bench partition of the
 * training images ({@link FmnistScenario}), train a classifier together through a real Kafka
 * broker and the aggregation job in a Flink MiniCluster, with the drift algorithm and server
 * optimizer of the run's aggregation config. Prints a line per global version (test accuracy on
 * the held-out test images), compares the final model with centralised training and, with
 * {@link Baselines.Choice#ALL}, each client alone, and writes a JSON report and a PNG plot of test
 * accuracy per round. Every phase longer than a second or two says so as it starts (loading the
 * images, starting Kafka and Flink, each baseline with its epochs), so a long run shows progress.
 */
public final class FmnistDemo {
    public static final String MODEL_ID = "fmnist-clients";

    /**
     * Settings of the Fashion-MNIST demo.
     *
     * @param dataDir the directory of the Fashion-MNIST IDX files
     * @param clients trainers, all taking part in every round
     * @param partition a NIID-Bench partition spec, e.g. {@code dirichlet:0.5}
     * @param trainRows use the first this many training images (0: all 60,000)
     * @param testRows score on the first this many test images (0: all 10,000)
     * @param run the federated run (model, rounds, seed, aggregation, client training)
     * @param checkpointIntervalMs Flink checkpoint interval
     * @param report JSON report path
     * @param plot PNG plot path
     * @param webUiPorts port or range of the Flink web UI
     * @param metricsPorts port or range of the Prometheus endpoint; null for none
     * @param target the test accuracy whose first version and uplink bytes the system metrics report
     * @param baselines which baselines to train after the run; null for the centralised one
     * @param authenticated whether clients are enrolled and sign, and the job signs its versions ({@code --authentication})
     */
    public record Settings(Path dataDir, int clients, String partition, int trainRows, int testRows, RunSettings run,
            long checkpointIntervalMs, Path report, Path plot, String webUiPorts, String metricsPorts, byte[] dpNoiseSecret,
            FlSystemMetrics.Target target, Baselines.Choice baselines, boolean authenticated) {
        public Settings {
            baselines = baselines == null ? Baselines.Choice.CENTRAL : baselines;
        }
    }

    private FmnistDemo() {
    }

    public static DemoReport run(Settings s, PrintStream out) throws Exception {
        RunSettings run = s.run();
        Architecture arch = Architecture.parse(run.architecture());
        long loading = System.nanoTime();
        out.printf("loading Fashion-MNIST from %s (%s training images, %s test images) and splitting it...%n", s.dataDir(),
                s.trainRows() > 0 ? "the first " + s.trainRows() : "all", s.testRows() > 0 ? "the first " + s.testRows() : "all");
        FmnistScenario scenario = FmnistScenario.load(s.dataDir(), s.clients(), s.partition(), run.seed(), s.trainRows(),
                s.testRows());
        out.printf("floe demo: Fashion-MNIST over %d clients (%s, %d training images), %s, algorithm %s, rule %s,"
                        + " server optimizer %s, %d rounds (seed %d)%n", s.clients(), scenario.partition(), scenario.trainingRows(),
                arch, run.aggregation().getAlgorithm(), run.aggregation().getRule(), run.aggregation().getServerOptimizer(),
                run.rounds(), run.seed());
        out.print(scenario.describe());
        out.printf("  held-out test set: %d images (loaded and split in %.1fs)%n", scenario.rawTest().size(),
                (System.nanoTime() - loading) / 1e9);

        long started = System.nanoTime();
        out.println("starting the Kafka broker and the Flink job...");
        try (EmbeddedFloe floe = s.authenticated()
                ? EmbeddedFloe.start(2, 2, Duration.ofMillis(s.checkpointIntervalMs()), s.webUiPorts(), s.dpNoiseSecret(),
                        s.metricsPorts(), new FederationKeys())
                : EmbeddedFloe.start(2, 2, Duration.ofMillis(s.checkpointIntervalMs()), s.webUiPorts(), s.dpNoiseSecret(),
                        s.metricsPorts())) {
            out.printf("Kafka broker (KRaft) on %s; Flink job running, web UI %s%n", floe.bootstrapServers(), floe.flinkWebUi());
            floe.metricsUrl().ifPresent(url -> out.printf("Prometheus metrics at %s (dashboard: deploy/grafana/floe-dashboard.json)%n", url));
            List<RoundRecord> history = FederatedRun.run(floe, scenario, run, out);

            out.println();
            int epochs = run.rounds() * run.training().getLocalEpochs();
            out.println(switch (s.baselines()) {
                case ALL -> String.format("training the baselines on the same model and split, %d epochs each (centralised, then"
                        + " each client alone)...", epochs);
                case CENTRAL -> String.format("training the centralised baseline on the same model and split, %d epochs (--baselines"
                        + " all adds each client alone, as long again)...", epochs);
                case NONE -> "no baselines (--baselines none; --baselines central trains the centralised one)";
            });
            long baselinesStarted = System.nanoTime();
            Baselines.Result baselines = Baselines.run(scenario, arch, run.seed(), perRound(run), run.rounds(), s.baselines(), out);
            if (s.baselines() != Baselines.Choice.NONE) {
                out.printf("baselines done in %.1fs%n", (System.nanoTime() - baselinesStarted) / 1e9);
            }

            Map<String, Object> config = new LinkedHashMap<>();
            config.put("scenario", "fmnist");
            config.put("clients", s.clients());
            config.put("partition", scenario.partition());
            config.put("training_rows", scenario.trainingRows());
            config.put("test_rows", scenario.rawTest().size());
            config.put("rounds", run.rounds());
            config.put("seed", run.seed());
            config.put("model", arch.toString());
            config.put("algorithm", run.aggregation().getAlgorithm());
            config.put("server_optimizer", run.aggregation().getServerOptimizer());
            config.put("learning_rate", run.training().getLearningRate());
            config.put("local_epochs", run.training().getLocalEpochs());
            config.put("batch_size", run.training().getBatchSize());
            config.put("momentum", run.training().getMomentum());
            if (run.aggregation().getChunkBytes() != null) {
                config.put("chunk_bytes", run.aggregation().getChunkBytes());
            }
            config.put("aggregation", run.aggregation().toString());
            config.put("baselines", s.baselines().toString());
            FlSystemMetrics metrics = FlSystemMetrics.of(history, s.target(), baselines.centralized(), s.clients(),
                    run.aggregation().getDpDelta(), run.localDp() == null ? Double.NaN : run.localDp().delta());
            DemoReport report = new DemoReport(config, run, history, baselines, true, "client", metrics);
            report.printTable(out);
            report.writeJson(s.report());
            AucPlot.write(s.plot(), "floe: Fashion-MNIST, " + s.clients() + " clients " + scenario.partition() + ", " + arch + ", "
                    + run.aggregation().getAlgorithm(), history, baselines, true, "client");
            out.printf("report: %s%nplot:   %s%n", s.report(), s.plot());
            out.printf("done in %.1fs (%.1fs since the JVM started); stopping Flink and Kafka%n", (System.nanoTime() - started) / 1e9,
                    ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
            return report;
        }
    }

    /** The clients' per-round training config, for the baselines. */
    public static TrainingConfig perRound(RunSettings run) {
        return new TrainingConfig(run.training().getLearningRate(), run.training().getLocalEpochs(), run.training().getBatchSize(),
                run.seed()).withMomentum(run.training().getMomentum());
    }
}
