package io.floe.deploy.local;

import io.floe.deploy.chaos.FaultInjector;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.TrainingConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded demo: ten hospitals train a breast-cancer classifier together. One JVM runs a real
 * Kafka broker, the aggregation job in a Flink MiniCluster, and one trainer thread per hospital,
 * each holding only its own records; only weight deltas travel through Kafka. The demo prints a
 * line per global version, then compares the federated model with centralised training and with
 * each hospital alone, prints the run's {@link FlSystemMetrics}, and writes a JSON report and a PNG plot.
 *
 * <p>With {@code --chaos} faults ({@link DemoSettings#chaos()}) the broker or the job's
 * TaskManager fails during the run and the system rides it out by itself; the demo prints each
 * fault's recovery and checks, from what the job committed, that every version was published once
 * ({@link PublishedOnceCheck}). A failed check fails the demo.
 */
public final class HospitalsDemo {
    public static final String MODEL_ID = "wdbc-hospitals";

    private HospitalsDemo() {
    }

    public static DemoReport run(DemoSettings s, PrintStream out) throws Exception {
        RunSettings run = s.run();
        Architecture arch = Architecture.parse(run.architecture());
        HospitalsScenario scenario = HospitalsScenario.load(s.data(), s.hospitals(), run.seed(), s.labelSkew(), s.sizeSkew());
        out.printf("floe demo: %d hospitals, %s, rule %s, %d rounds (seed %d)%s%n", s.hospitals(), arch,
                run.aggregation().getRule(), run.rounds(), run.seed(),
                run.attacked() ? String.format(", %d attacking with %s", run.byzantine(), run.attack()) : "");
        out.print(scenario.describe());
        out.printf("  held-out test set: %d records%n", scenario.rawTest().size());

        long started = System.nanoTime();
        try (EmbeddedFloe floe = s.authenticated()
                ? EmbeddedFloe.start(2, 2, Duration.ofMillis(s.checkpointIntervalMs()), s.webUiPorts(), s.dpNoiseSecret(),
                        s.metricsPorts(), new FederationKeys())
                : EmbeddedFloe.start(2, 2, Duration.ofMillis(s.checkpointIntervalMs()), s.webUiPorts(), s.dpNoiseSecret(),
                        s.metricsPorts())) {
            out.printf("Kafka broker (KRaft) on %s; Flink job running, web UI %s%n", floe.bootstrapServers(), floe.flinkWebUi());
            floe.metricsUrl().ifPresent(url -> out.printf("Prometheus metrics at %s (dashboard: deploy/grafana/floe-dashboard.json)%n", url));
            List<RoundRecord> history;
            try (FaultInjector chaos = new FaultInjector(s.chaos(), floe, out)) {
                if (!s.chaos().isEmpty()) {
                    out.printf("chaos: %s (times from the start of the run)%n", String.join(", ",
                            s.chaos().faults().stream().map(Object::toString).toList()));
                }
                history = FederatedRun.run(floe, scenario, run, out, chaos);
                chaos.close();
                if (!s.chaos().isEmpty()) {
                    printChaosSummary(floe, run, history, chaos, out);
                }
            }

            out.println();
            out.println(switch (s.baselines()) {
                case ALL -> "training the baselines on the same model and split (centralised, each hospital alone)...";
                case CENTRAL -> "training the centralised baseline on the same model and split (--baselines all adds each hospital alone)...";
                case NONE -> "no baselines (--baselines none)";
            });
            TrainingConfig perRound = new TrainingConfig(run.training().getLearningRate(), run.training().getLocalEpochs(),
                    run.training().getBatchSize(), run.seed()).withMomentum(run.training().getMomentum());
            // quiet: the hospitals' baselines take a few seconds
            Baselines.Result baselines = Baselines.run(scenario, arch, run.seed(), perRound, run.rounds(), s.baselines(), null);

            Map<String, Object> config = new LinkedHashMap<>();
            config.put("scenario", "hospitals");
            config.put("hospitals", s.hospitals());
            config.put("rounds", run.rounds());
            config.put("seed", run.seed());
            config.put("label_skew_alpha", s.labelSkew());
            config.put("size_skew_sigma", s.sizeSkew());
            config.put("model", arch.toString());
            config.put("learning_rate", run.training().getLearningRate());
            config.put("local_epochs", run.training().getLocalEpochs());
            config.put("batch_size", run.training().getBatchSize());
            config.put("test_records", scenario.rawTest().size());
            if (s.baselines() != Baselines.Choice.ALL) {
                config.put("baselines", s.baselines().toString());
            }
            if (run.aggregation().getChunkBytes() != null) {
                config.put("chunk_bytes", run.aggregation().getChunkBytes());
            }
            config.put("aggregation", run.aggregation().toString());
            FlSystemMetrics metrics = FlSystemMetrics.of(history, s.target(), baselines.centralized(), s.hospitals(),
                    run.aggregation().getDpDelta(), run.localDp() == null ? Double.NaN : run.localDp().delta());
            DemoReport report = new DemoReport(config, run, history, baselines, metrics);
            report.printTable(out);
            report.writeJson(s.report());
            AucPlot.write(s.plot(), "floe: " + s.hospitals() + " hospitals, " + arch + ", " + run.aggregation().getRule()
                    + (run.attacked() ? ", " + run.byzantine() + " x " + run.attack() : "")
                    + (run.aggregation().getChunkBytes() != null ? ", chunks of " + run.aggregation().getChunkBytes() + " B" : ""),
                    history, baselines);
            out.printf("report: %s%nplot:   %s%n", s.report(), s.plot());
            out.printf("done in %.1fs; stopping Flink and Kafka%n", (System.nanoTime() - started) / 1e9);
            return report;
        }
    }

    /** Each fault's recovery, then the exactly-once check; throws when the check fails. */
    private static void printChaosSummary(EmbeddedFloe floe, RunSettings run, List<RoundRecord> history, FaultInjector chaos,
            PrintStream out) {
        out.println();
        out.println("chaos: recovery per fault (next version: the first seen published, read_committed, after the fault)");
        chaos.recoveries().forEach(r -> out.println("  " + r.summary()));
        long last = history.isEmpty() ? -1 : history.get(history.size() - 1).version();
        PublishedOnceCheck check = PublishedOnceCheck.read(floe.bootstrapServers(), floe.topics(), run.modelId(), last);
        out.println(check.describe());
        if (!check.problems().isEmpty()) {
            throw new IllegalStateException("the chaos run broke exactly-once: " + check.problems());
        }
    }
}
