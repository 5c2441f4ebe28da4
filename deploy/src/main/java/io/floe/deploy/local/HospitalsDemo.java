package io.floe.deploy.local;

import io.floe.schema.AggregationReport;
import io.floe.schema.ModelSpec;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.trainer.model.Architecture;
import io.floe.trainer.model.TrainingConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The embedded demo: ten hospitals train a breast-cancer classifier together. One JVM runs a real
 * Kafka broker, the aggregation job in a Flink MiniCluster, and one trainer thread per hospital,
 * each holding only its own records; only weight deltas travel through Kafka. The demo prints a
 * line per global version, then compares the federated model with centralised training and with
 * each hospital alone, and writes a JSON report and a PNG plot.
 */
public final class HospitalsDemo {
    public static final String MODEL_ID = "wdbc-hospitals";

    private HospitalsDemo() {
    }

    public static DemoReport run(DemoSettings s, PrintStream out) throws Exception {
        Architecture arch = Architecture.parse(s.architecture());
        HospitalsScenario scenario = HospitalsScenario.load(s.data(), s.hospitals(), s.seed(), s.labelSkew(), s.sizeSkew());
        out.printf("floe demo: %d hospitals, %s, rule %s, %d rounds (seed %d)%n", s.hospitals(), arch, s.rule(), s.rounds(), s.seed());
        out.print(scenario.describe());
        out.printf("  held-out test set: %d records%n", scenario.rawTest().size());

        long started = System.nanoTime();
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(s.checkpointIntervalMs()), s.webUiPorts())) {
            out.printf("Kafka broker (KRaft) on %s; Flink job running, web UI %s%n", floe.bootstrapServers(), floe.flinkWebUi());
            ModelSpec spec = ModelRegistration.spec(MODEL_ID, arch, s.seed(), s.rule(), s.hospitals(), s.learningRate(),
                    s.localEpochs(), s.batchSize());
            ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(), spec, new Properties());

            List<Thread> threads = new ArrayList<>();
            List<TrainerLoop> loops = new ArrayList<>();
            List<AutoCloseable> clients = new ArrayList<>();
            GlobalModelEvaluator evaluator = new GlobalModelEvaluator(scenario.scaledTest());
            List<RoundRecord> history = new ArrayList<>();
            try (RoundObserver observer = new RoundObserver(floe.bootstrapServers(), floe.topics(), MODEL_ID)) {
                for (int i = 0; i < s.hospitals(); i++) {
                    String clientId = String.format("hospital-%02d", i);
                    GlobalModelFollower follower = new GlobalModelFollower(floe.bootstrapServers(), floe.topics().models(),
                            MODEL_ID, new Properties());
                    UpdatePublisher publisher = new UpdatePublisher(floe.bootstrapServers(), floe.topics().updates(), new Properties());
                    clients.add(follower);
                    clients.add(publisher);
                    NetworkTraining training = new NetworkTraining(clientId, scenario.hospitals().get(i),
                            NetworkTraining.DEFAULT_VALIDATION_FRACTION, s.seed() + i);
                    TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, training, s.rounds(), u -> { });
                    loops.add(loop);
                    Thread t = new Thread(loop, clientId);
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                }
                out.println();
                out.println("version  participants  test AUC  test acc  clients' local AUC   elapsed");
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (history.isEmpty() || history.get(history.size() - 1).version() < s.rounds()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no version " + s.rounds() + " after 10 minutes; job status " + floe.jobStatus());
                    }
                    for (RoundObserver.PublishedVersion v : observer.poll(Duration.ofMillis(200))) {
                        BinaryMetrics m = evaluator.evaluate(v.model());
                        AggregationReport rep = v.report();
                        RoundRecord r = new RoundRecord(v.model().getVersion(), rep == null ? 0 : rep.getAccepted().size(),
                                rep == null ? 0 : rep.getRejected().size(), m.auc(), m.accuracy(),
                                rep == null ? Double.NaN : rep.getClientMetrics().getOrDefault("auc", Double.NaN),
                                (System.nanoTime() - started) / 1e9);
                        history.add(r);
                        out.printf("%7d  %12d  %8.4f  %8.4f  %18s  %7.1fs%n", r.version(), r.participants(), r.testAuc(),
                                r.testAccuracy(), Double.isNaN(r.clientAuc()) ? "-" : String.format("%.4f", r.clientAuc()), r.seconds());
                    }
                }
            } finally {
                loops.forEach(TrainerLoop::stop);
                for (Thread t : threads) {
                    t.join(5_000);
                }
                for (AutoCloseable c : clients) {
                    c.close();
                }
            }

            out.println();
            out.println("training the baselines on the same model and split (centralised, each hospital alone)...");
            TrainingConfig perRound = new TrainingConfig(s.learningRate(), s.localEpochs(), s.batchSize(), s.seed());
            Baselines.Result baselines = Baselines.run(scenario, arch, s.seed(), perRound, s.rounds());

            Map<String, Object> config = new LinkedHashMap<>();
            config.put("scenario", "hospitals");
            config.put("hospitals", s.hospitals());
            config.put("rounds", s.rounds());
            config.put("seed", s.seed());
            config.put("label_skew_alpha", s.labelSkew());
            config.put("size_skew_sigma", s.sizeSkew());
            config.put("rule", s.rule());
            config.put("model", arch.toString());
            config.put("learning_rate", s.learningRate());
            config.put("local_epochs", s.localEpochs());
            config.put("batch_size", s.batchSize());
            config.put("test_records", scenario.rawTest().size());
            DemoReport report = new DemoReport(config, history, baselines);
            report.printTable(out);
            report.writeJson(s.report());
            AucPlot.write(s.plot(), "floe: " + s.hospitals() + " hospitals, " + arch + ", " + s.rule(), history, baselines);
            out.printf("report: %s%nplot:   %s%n", s.report(), s.plot());
            out.printf("done in %.1fs; stopping Flink and Kafka%n", (System.nanoTime() - started) / 1e9);
            return report;
        }
    }
}
