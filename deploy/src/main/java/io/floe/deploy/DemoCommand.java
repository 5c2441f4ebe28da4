package io.floe.deploy;

import io.floe.deploy.local.DemoSettings;
import io.floe.deploy.local.HospitalsDemo;
import io.floe.deploy.local.RunSettings;
import io.floe.deploy.local.ClientConditions;
import io.floe.trainer.cli.AggregationOptions;
import io.floe.trainer.cli.ClientTrainingOptions;
import picocli.CommandLine.Mixin;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code floe demo}: the embedded single-JVM run (Kafka + Flink + trainers). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Ten hospitals train a breast-cancer classifier together, in one JVM: a real KRaft Kafka broker,",
                "the aggregation job in a Flink MiniCluster (web UI on localhost), and one trainer per hospital.",
                "Prints a line per round and a table against centralised and single-hospital training."})
public class DemoCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "hospitals", description = "Scenario (default: ${DEFAULT-VALUE}; the only one so far).")
    String scenario;

    @Option(names = "--data", defaultValue = "data/wdbc/breast_cancer.csv", description = "WDBC CSV (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--clients", defaultValue = "10", description = "Hospitals (trainers); all take part in every round (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--rounds", defaultValue = "20", description = "Rounds (global versions after version 0) (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of split, initial weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--label-skew", defaultValue = "0.5",
            description = "Dirichlet alpha of each hospital's malignant/benign mix; smaller is more skewed (default: ${DEFAULT-VALUE}).")
    double labelSkew;

    @Option(names = "--size-skew", defaultValue = "0.6",
            description = "Log-normal sigma of hospital sizes; larger is more unequal (default: ${DEFAULT-VALUE}).")
    double sizeSkew;

    @Mixin
    AggregationOptions aggregation = new AggregationOptions();

    @Option(names = "--attack", defaultValue = "none",
            description = "Make the first --byzantine hospitals attack: sign-flip, scale, gaussian, label-flip, alie, backdoor, free-rider; options as NAME:key=value,... e.g. scale:boost=20 (default: ${DEFAULT-VALUE}).")
    String attack;

    @Option(names = "--byzantine", defaultValue = "0", description = "How many hospitals attack (the first ones) (default: ${DEFAULT-VALUE}).")
    int byzantine;

    @Option(names = "--model", defaultValue = "mlp",
            description = "logreg, mlp, or a descriptor such as 'mlp(30,32,16,1)' (default: ${DEFAULT-VALUE}).")
    String model;

    @Mixin
    ClientTrainingOptions training = new ClientTrainingOptions();

    @Option(names = "--checkpoint-interval-ms", defaultValue = "500",
            description = "Flink checkpoint interval; a new version is visible to trainers after the next checkpoint (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMs;

    @Option(names = "--report", defaultValue = "floe-out/demo-report.json", description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(names = "--plot", defaultValue = "floe-out/demo-auc.png", description = "PNG plot of test AUC per round (default: ${DEFAULT-VALUE}).")
    Path plot;

    @Option(names = "--stragglers", defaultValue = "none",
            description = "Simulated stragglers FRACTION:FACTORx, e.g. 0.3:10x = 30%% of clients ten times slower (default: ${DEFAULT-VALUE}).")
    String stragglers;

    @Option(names = "--client-latency-ms", defaultValue = "0",
            description = "Simulated duration of a local round on a normal device, added to the real training time; "
                    + "stragglers take FACTOR times longer (default: ${DEFAULT-VALUE}; 200 when --stragglers or --dropout is set).")
    long clientLatencyMs;

    @Option(names = "--dropout", defaultValue = "0",
            description = "Probability that a client vanishes mid-round (trains, never reports) (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--duration-s", defaultValue = "0",
            description = "Stop after this many seconds even if --rounds versions were not reached; 0 = no limit (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--web-ui-port", defaultValue = "8081-8099", description = "Port or range for the Flink web UI (default: ${DEFAULT-VALUE}).")
    String webUiPorts;

    @Override
    public Integer call() throws Exception {
        if (!"hospitals".equals(scenario)) {
            System.err.println("unknown scenario '" + scenario + "'; available: hospitals");
            return 2;
        }
        if (clients < 1 || rounds < 1) {
            System.err.println("--clients and --rounds must be at least 1");
            return 2;
        }
        if (byzantine < 0 || byzantine >= clients || (byzantine > 0 && "none".equals(attack))) {
            System.err.println("--byzantine must be in [0, --clients) and needs an --attack (see --help)");
            return 2;
        }
        ClientConditions conditions;
        try {
            double[] slow = ClientConditions.parseStragglers(stragglers);
            long latency = clientLatencyMs == 0 && (slow[0] > 0 || dropout > 0) ? 200 : clientLatencyMs;
            conditions = new ClientConditions(latency, slow[0], slow[1], dropout, durationSeconds);
            io.floe.core.async.AsyncMode.parse(aggregation.mode);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        RunSettings run = new RunSettings(HospitalsDemo.MODEL_ID, architecture(), seed, rounds,
                aggregation.toConfig(clients, Math.max(1, byzantine)),
                training.toConfig(), attack, byzantine, null, conditions);
        HospitalsDemo.run(new DemoSettings(data, clients, labelSkew, sizeSkew, run, checkpointIntervalMs, report, plot, webUiPorts),
                System.out);
        return 0;
    }

    /** logreg and mlp are shorthands sized to the data (WDBC: 30 features). */
    private String architecture() {
        return switch (model) {
            case "logreg" -> "logreg(30)";
            case "mlp" -> "mlp(30,16,1)";
            default -> model;
        };
    }
}
