package io.floe.deploy;

import io.floe.deploy.chaos.ChaosSchedule;
import io.floe.deploy.local.Baselines;
import io.floe.deploy.local.DemoSettings;
import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.FmnistDemo;
import io.floe.deploy.local.HospitalsDemo;
import io.floe.deploy.local.PrometheusEndpoint;
import io.floe.deploy.local.RunSettings;
import io.floe.deploy.local.ClientConditions;
import io.floe.trainer.cli.AggregationOptions;
import io.floe.trainer.cli.ClientTrainingOptions;
import io.floe.trainer.data.FashionMnist;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.data.NiidPartition;
import io.floe.core.spec.Architecture;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code floe demo}: the embedded single-JVM run (Kafka + Flink + trainers). */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Ten hospitals train a breast-cancer classifier together, in one JVM: a real KRaft Kafka broker,",
                "the aggregation job in a Flink MiniCluster (web UI on localhost), and one trainer per hospital.",
                "Prints a line per round and a table against centralised and single-hospital training.",
                "--scenario fmnist: Fashion-MNIST split over --clients by a NIID-Bench --partition, sized to finish in a few minutes",
                "  on 2 cores: mlp(784,100,10), the first 20,000 training images, 15 rounds x 2 local epochs, batch 32, lr 0.01,",
                "  momentum 0.9, centralised baseline only (each overridden by its option), e.g.",
                "  ./floe demo --scenario fmnist --partition dirichlet:0.5",
                "  ./floe demo --scenario fmnist --partition labels:2 --algorithm scaffold --baselines all",
                "--chunk-bytes N: a chunked model (sync fedavg/fedprox only): each update",
                "  is a header plus chunks of N bytes, the job sums every chunk where it",
                "  lands, and each version is a manifest plus chunks that the trainers and",
                "  the demo put together; e.g. (mlp(30,16,1): 513 parameters, 3 chunks)",
                "  ./floe demo --chunk-bytes 1024"})
public class DemoCommand implements Callable<Integer> {
    /**
     * Defaults of the fmnist scenario where the command line does not set them: NIID-Bench's client
     * optimiser (lr 0.01, momentum 0.9) on bench niid's quick-profile model and batch, with data,
     * rounds and baselines sized so that {@code ./floe demo --scenario fmnist} finishes in a few
     * minutes on 2 busy cores with about 80% test accuracy (README, "Non-IID data"). NIID-Bench's
     * own setting (the CNN, all 60,000 images, batch 64, 10 local epochs) takes hours here.
     */
    static final float FMNIST_LEARNING_RATE = 0.01f;
    static final int FMNIST_BATCH_SIZE = 32;
    static final float FMNIST_MOMENTUM = 0.9f;
    static final int FMNIST_LOCAL_EPOCHS = 2;
    static final int FMNIST_ROUNDS = 15;
    static final int FMNIST_TRAIN_ROWS = 20_000;
    static final String FMNIST_MODEL = "mlp(784,100,10)";
    static final Baselines.Choice FMNIST_BASELINES = Baselines.Choice.CENTRAL;
    /** The hospitals' baselines take a few seconds: all of them. */
    static final Baselines.Choice HOSPITALS_BASELINES = Baselines.Choice.ALL;
    /** Default targets of the system metrics: the ones bench async (--target-auc) and bench niid (full profile) use. */
    static final double HOSPITALS_TARGET_AUC = 0.98;
    static final double FMNIST_TARGET_ACCURACY = 0.80;

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", defaultValue = "hospitals",
            description = "hospitals (WDBC over --clients hospitals) or fmnist (Fashion-MNIST over --clients clients) (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--partition", defaultValue = "dirichlet:0.5",
            description = "fmnist: NIID-Bench partition: iid, dirichlet:BETA, labels:K, quantity:BETA or noise:SIGMA (default: ${DEFAULT-VALUE}).")
    String partition;

    @Option(names = "--data-dir", description = "fmnist: directory of the Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist,"
            + " where scripts/setup-fashion-mnist.sh installs them).")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--train-rows", defaultValue = "0",
            description = "fmnist: use the first N training images, 0 = all 60,000 (default: " + FMNIST_TRAIN_ROWS + ").")
    int trainRows;

    @Option(names = "--test-rows", defaultValue = "0",
            description = "fmnist: score on the first N test images, 0 = all 10,000 (default: ${DEFAULT-VALUE}).")
    int testRows;

    @Option(names = "--data", defaultValue = "data/wdbc/breast_cancer.csv", description = "WDBC CSV (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--clients", defaultValue = "10", description = "Hospitals (trainers); all take part in every round (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--rounds", defaultValue = "20",
            description = "Rounds (global versions after version 0) (default: ${DEFAULT-VALUE}; fmnist: " + FMNIST_ROUNDS + ").")
    int rounds;

    @Option(names = "--baselines", paramLabel = "none|central|all",
            description = "Baselines trained after the federated run on the same model and epochs: none, central (pooled data;"
                    + " what the centralised gap needs) or all (also each site alone; on fmnist as long again as central)"
                    + " (default: all; fmnist: central).")
    String baselines;

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
            description = "Make the first --byzantine hospitals attack: sign-flip, scale, gaussian, label-flip, alie, backdoor, free-rider; options as NAME:key=value,... e.g. scale:boost=20. "
                    + "Attacks on trust (docs/security.md): impersonate, sybil, replay, forged-model, rogue-operator (default: ${DEFAULT-VALUE}).")
    String attack;

    @Option(names = "--authentication", defaultValue = "required",
            description = "required: the operator enrols every site with its own key, sites sign their updates and heartbeats, "
                    + "the job signs every version and obeys only the operator's commands; none: nothing checks who speaks, to watch "
                    + "an attack on trust succeed (default: ${DEFAULT-VALUE}).")
    String authentication;

    @Option(names = "--byzantine", defaultValue = "0", description = "How many hospitals attack (the first ones) (default: ${DEFAULT-VALUE}).")
    int byzantine;

    @Option(names = "--model",
            description = "hospitals: logreg, mlp (= mlp(30,16,1), the default) or a descriptor such as 'mlp(30,32,16,1)';"
                    + " fmnist: " + FMNIST_MODEL + " (the default, bench niid's quick profile), cnn (= cnn(28,28,1,10), NIID-Bench's"
                    + " simple CNN, hours on 2 cores with all images), mlp (= mlp(784,200,200,10)) or a descriptor.")
    String model;

    @Mixin
    ClientTrainingOptions training = new ClientTrainingOptions();

    @Option(names = "--checkpoint-interval-ms", defaultValue = "500",
            description = "Flink checkpoint interval; a new version is visible to trainers after the next checkpoint (default: ${DEFAULT-VALUE}).")
    long checkpointIntervalMs;

    @Option(names = "--report", defaultValue = "floe-out/demo-report.json",
            description = "JSON report (default: ${DEFAULT-VALUE}; fmnist: floe-out/demo-fmnist-report.json).")
    Path report;

    @Option(names = "--plot", defaultValue = "floe-out/demo-auc.png",
            description = "PNG plot of test AUC per round (default: ${DEFAULT-VALUE}; fmnist: test accuracy, floe-out/demo-fmnist-accuracy.png).")
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

    @Option(names = "--dp-noise-secret-file",
            description = "Central DP: file whose bytes (at least 16) key the HMAC that seeds the noise per (model, version), as the job's "
                    + "option of the same name; the same file and --seed replay the same models. Default: a random secret.")
    Path dpNoiseSecretFile;

    @Option(names = "--web-ui-port", defaultValue = "8081-8099", description = "Port or range for the Flink web UI (default: ${DEFAULT-VALUE}).")
    String webUiPorts;

    @Option(names = "--target", paramLabel = "SCORE",
            description = "Target test score of the system metrics' communication efficiency (versions and uplink bytes to reach it):"
                    + " test AUC for hospitals (default " + HOSPITALS_TARGET_AUC + ", as bench async), test accuracy for fmnist (default "
                    + FMNIST_TARGET_ACCURACY + ", as bench niid's full profile).")
    Double target;

    @Option(names = "--metrics-port", defaultValue = PrometheusEndpoint.DEFAULT_PORTS,
            description = "Port or range for the Prometheus endpoint of the job's metrics (the first free port is taken; "
                    + "'off' for none) (default: ${DEFAULT-VALUE}).")
    String metricsPorts;

    @Option(names = "--chaos", paramLabel = "FAULT",
            description = {"Fail part of the system during the run and watch it ride that out (repeat for several faults):",
                    "  broker-outage:at=10s,for=90s   the broker stops 10 s into the run and is back 90 s later (same port and data)",
                    "  taskmanager-loss:at=10s[,for=5s]   the job's TaskManager is lost; a new one joins at once (or after for=)",
                    "Times take a unit (ms, s, m). The demo prints each fault and its recovery and checks that every version was"
                            + " published once. hospitals scenario only."})
    List<String> chaos = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!"hospitals".equals(scenario) && !"fmnist".equals(scenario)) {
            System.err.println("unknown scenario '" + scenario + "'; available: hospitals, fmnist");
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
        if (!"required".equals(authentication) && !"none".equals(authentication)) {
            System.err.println("--authentication must be required or none");
            return 2;
        }
        java.util.Optional<io.floe.deploy.local.TrustAttack> trustAttack = io.floe.deploy.local.TrustAttack.parse(attack);
        if (trustAttack.isPresent() && "none".equals(authentication) && !trustAttack.get().runsWithoutAuthentication()) {
            System.err.println("--attack " + attack + " stops every trainer of a run without authentication (they follow the forged"
                    + " version); run it with --authentication required to watch the defence");
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
        boolean fmnist = "fmnist".equals(scenario);
        ChaosSchedule faults;
        try {
            faults = ChaosSchedule.parse(chaos);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (fmnist && !faults.isEmpty()) {
            System.err.println("--chaos runs with the hospitals scenario only; drop --scenario fmnist");
            return 2;
        }
        if (fmnist) {
            try {
                NiidPartition.parse(partition);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            if (!FashionMnist.isPresent(dataDir)) {
                System.err.println("Fashion-MNIST is not in " + dataDir + ": run scripts/setup-fashion-mnist.sh (it installs Debian's"
                        + " dataset-fashion-mnist package into " + FashionMnist.DEFAULT_DIR + "), or download the four *-ubyte.gz files"
                        + " from https://github.com/zalandoresearch/fashion-mnist and pass their directory as --data-dir");
                return 2;
            }
        }
        Baselines.Choice baselineChoice;
        try {
            baselineChoice = resolveScenarioDefaults();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        FlSystemMetrics.Target goal;
        RunSettings run;
        try {
            goal = fmnist ? FlSystemMetrics.Target.accuracy(target == null ? FMNIST_TARGET_ACCURACY : target)
                    : FlSystemMetrics.Target.auc(target == null ? HOSPITALS_TARGET_AUC : target);
            run = new RunSettings(fmnist ? FmnistDemo.MODEL_ID : HospitalsDemo.MODEL_ID, architecture(fmnist), seed, rounds,
                    aggregation.toConfig(clients, Math.max(1, byzantine)),
                    training.toConfig(), attack, byzantine, null, conditions);
            String refused = ModelRegistration.specProblem(ModelRegistration.spec(run.modelId(),
                    Architecture.parse(run.architecture()), seed, run.aggregation(), run.training()));
            if (refused != null) {
                System.err.println("the job would refuse this model: " + refused);
                return 2;
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (fmnist) {
            Path out = report.getParent() == null ? Path.of(".") : report.getParent();
            Path fmnistReport = spec.commandLine().getParseResult().hasMatchedOption("--report") ? report : out.resolve("demo-fmnist-report.json");
            Path fmnistPlot = spec.commandLine().getParseResult().hasMatchedOption("--plot") ? plot : out.resolve("demo-fmnist-accuracy.png");
            FmnistDemo.run(new FmnistDemo.Settings(dataDir, clients, partition, trainRows, testRows, run, checkpointIntervalMs,
                    fmnistReport, fmnistPlot, webUiPorts, metricsPorts(), dpNoiseSecret(), goal, baselineChoice,
                    "required".equals(authentication)), System.out);
            return 0;
        }
        HospitalsDemo.run(new DemoSettings(data, clients, labelSkew, sizeSkew, run, checkpointIntervalMs, report, plot, webUiPorts,
                metricsPorts(), dpNoiseSecret(), goal, faults, baselineChoice, "required".equals(authentication)),
                System.out);
        return 0;
    }

    /** --metrics-port, or null for 'off' (no Prometheus endpoint). */
    private String metricsPorts() {
        return "off".equalsIgnoreCase(metricsPorts) ? null : metricsPorts;
    }

    /** The secret from --dp-noise-secret-file, or null (the job draws a random one). */
    private byte[] dpNoiseSecret() {
        if (dpNoiseSecretFile == null) {
            return null;
        }
        io.floe.flink.AggregationJobOptions options = new io.floe.flink.AggregationJobOptions();
        options.dpNoiseSecretFile = dpNoiseSecretFile;
        return options.dpNoiseSecret();
    }

    /**
     * Fills in the scenario's defaults for the options the command line did not give (an explicit
     * value, even one equal to another scenario's default, is kept) and returns the baselines to train.
     * For fmnist: model, training rows, rounds and client training ({@code FMNIST_*}), central baseline;
     * for hospitals only the baselines (all): its other defaults are the options' own.
     *
     * @throws IllegalArgumentException when {@code --baselines} is not none, central or all
     */
    Baselines.Choice resolveScenarioDefaults() {
        boolean fmnist = "fmnist".equals(scenario);
        Baselines.Choice choice = baselines == null ? (fmnist ? FMNIST_BASELINES : HOSPITALS_BASELINES) : Baselines.Choice.parse(baselines);
        if (!fmnist) {
            return choice;
        }
        var parsed = spec.commandLine().getParseResult();
        if (model == null) {
            model = FMNIST_MODEL;
        }
        if (!parsed.hasMatchedOption("--train-rows")) {
            trainRows = FMNIST_TRAIN_ROWS;
        }
        if (!parsed.hasMatchedOption("--rounds")) {
            rounds = FMNIST_ROUNDS;
        }
        if (!parsed.hasMatchedOption("--learning-rate")) {
            training.learningRate = FMNIST_LEARNING_RATE;
        }
        if (!parsed.hasMatchedOption("--batch-size")) {
            training.batchSize = FMNIST_BATCH_SIZE;
        }
        if (!parsed.hasMatchedOption("--momentum")) {
            training.momentum = FMNIST_MOMENTUM;
        }
        if (!parsed.hasMatchedOption("--local-epochs")) {
            training.localEpochs = FMNIST_LOCAL_EPOCHS;
        }
        return choice;
    }

    /** Shorthands sized to the data: WDBC has 30 features and 2 classes, Fashion-MNIST 28x28x1 images and 10 classes. */
    private String architecture(boolean fmnist) {
        String m = model == null ? (fmnist ? "cnn" : "mlp") : model;
        if (fmnist) {
            return switch (m) {
                case "cnn" -> "cnn(28,28,1,10)";
                case "mlp" -> "mlp(784,200,200,10)";
                case "logreg" -> throw new IllegalArgumentException("logreg is binary; Fashion-MNIST has 10 classes: use cnn, mlp or"
                        + " a descriptor such as mlp(784,100,10)");
                default -> m;
            };
        }
        return switch (m) {
            case "logreg" -> "logreg(30)";
            case "mlp" -> "mlp(30,16,1)";
            default -> m;
        };
    }
}
