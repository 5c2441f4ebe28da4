package io.floe.bench;

import io.floe.bench.robustness.RobustnessExperiment;
import io.floe.bench.robustness.RuleVariant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./floe bench}: kernels (JMH) and end-to-end experiments. */
@Command(name = "floe bench", mixinStandardHelpOptions = true, description = "Benchmarks and experiments.",
        subcommands = {BenchCli.Aggregation.class, BenchCli.Robustness.class, BenchCli.Privacy.class, BenchCli.Async.class,
                BenchCli.Models.class, BenchCli.Niid.class, io.floe.bench.ingest.IngestCommand.class,
                io.floe.bench.compression.CompressionCommand.class})
public final class BenchCli implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCli()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "aggregation", mixinStandardHelpOptions = true,
            description = "Short JMH profile of the aggregation kernels beside the weighted sum (and nd4j's median); writes JSON and markdown.")
    static final class Aggregation implements Callable<Integer> {
        @Option(names = "--json", defaultValue = "floe-out/aggregation-bench.json")
        Path json;

        @Option(names = "--markdown", defaultValue = "floe-out/aggregation-bench.md")
        Path markdown;

        @Option(names = "--shapes", description = "KxD shapes, comma-separated (default: 32x1000000,10x100000, under 3 minutes).")
        String shapes;

        @Option(names = "--no-nd4j", description = "Leave nd4j's median out.")
        boolean noNd4j;

        @Option(names = "--jvm", description = "Run the JMH forks on this java binary.")
        String jvm;

        @Override
        public Integer call() throws Exception {
            List<String> args = new ArrayList<>(List.of("--json", json.toString(), "--markdown", markdown.toString()));
            if (shapes != null) {
                args.addAll(List.of("--shapes", shapes));
            }
            if (noNd4j) {
                args.add("--no-nd4j");
            }
            if (jvm != null) {
                args.addAll(List.of("--jvm", jvm));
            }
            AggregationBenchTable.main(args.toArray(String[]::new));
            return 0;
        }
    }

    @Command(name = "models", mixinStandardHelpOptions = true,
            description = "Local training throughput (samples/s of gather + forward + backward + SGD step) of trainer models on random data.")
    static final class Models implements Callable<Integer> {
        @Option(names = "--models", defaultValue = "cnn(28,28,1,10);mlp(784,200,200,10)",
                description = "Architectures, ';'-separated (default: ${DEFAULT-VALUE}).")
        String models;

        @Option(names = "--batch", defaultValue = "64")
        int batch;

        @Option(names = "--steps", defaultValue = "16", description = "Batches per timed epoch (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--threads", split = ",", defaultValue = "1,default",
                description = "nd4j thread counts to measure, or 'default' (default: ${DEFAULT-VALUE}).")
        List<String> threads;

        @Option(names = "--warmup", defaultValue = "3", description = "Warm-up seconds per row.")
        double warmup;

        @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per row.")
        double seconds;

        @Override
        public Integer call() {
            ModelThroughput.main(new String[] {"--models", models, "--batch", Integer.toString(batch),
                "--steps", Integer.toString(steps), "--threads", String.join(",", threads),
                "--warmup", Double.toString(warmup), "--seconds", Double.toString(seconds)});
            return 0;
        }
    }

    @Command(name = "robustness", mixinStandardHelpOptions = true,
            description = {"The hospitals scenario under attack: each rule x (no attack, each attack by each number of attackers),",
                    "through a real broker and job. Writes results.csv, results.md, heatmap.png and system-metrics.json",
                    "(the four FL system metrics of every run, also printed at the end)."})
    static final class Robustness implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "floe-out/robustness", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Mixin
        ScenarioOptions scenario = new ScenarioOptions();

        @Option(names = "--model", defaultValue = "mlp(30,16,1)")
        String model;

        @Option(names = "--rules", split = ",", defaultValue = RuleVariant.ALL_LABELS,
                description = "Rule variants (default: ${DEFAULT-VALUE}).")
        List<String> rules;

        @Option(names = "--attacks", split = ",", defaultValue = "sign-flip,scale,gaussian,label-flip,alie,backdoor,free-rider",
                description = "Attacks (default: ${DEFAULT-VALUE}).")
        List<String> attacks;

        @Option(names = "--byzantine", split = ",", defaultValue = "2,3", description = "Attacker counts besides the clean run (default: ${DEFAULT-VALUE}).")
        List<Integer> byzantine;

        @Option(names = "--quick", description = "A short profile: 10 rounds, sign-flip, scale and backdoor by 3 attackers.")
        boolean quick;

        @Option(names = "--target-auc", defaultValue = "0.98",
                description = "Target test AUC of the system metrics (default: ${DEFAULT-VALUE}, as bench async and the demo).")
        double target;

        @Override
        public Integer call() throws Exception {
            List<Integer> counts = quick ? List.of(3) : byzantine;
            List<String> atk = quick ? List.of("sign-flip", "scale", "backdoor") : attacks;
            int r = quick ? 10 : scenario.rounds;
            RobustnessExperiment.Plan plan = new RobustnessExperiment.Plan(scenario.data, 10, r, scenario.seed,
                    rules.stream().map(RuleVariant::named).toList(), atk, counts, model, target);
            RobustnessExperiment.run(plan, out, System.out);
            System.out.println("wrote " + out.resolve("results.csv") + ", " + out.resolve("results.md") + ", "
                    + out.resolve("heatmap.png") + ", " + out.resolve("system-metrics.json"));
            return 0;
        }
    }

    @Command(name = "privacy", mixinStandardHelpOptions = true,
            description = {"Privacy-utility curves on WDBC through the real broker and job: local DP-SGD in 10 hospitals at",
                    "several target epsilons, and central DP-FedAvg with many clients at several noise multipliers.",
                    "Writes results.csv, results.md, privacy-utility.png and system-metrics.json (the four FL system metrics",
                    "of every run, also printed at the end)."})
    static final class Privacy implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "floe-out/privacy", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Mixin
        ScenarioOptions scenario = new ScenarioOptions();

        @Option(names = "--local-epsilons", split = ",", defaultValue = "0.5,1,2,4,8",
                description = "Local DP-SGD target epsilons (default: ${DEFAULT-VALUE}).")
        List<Double> localEpsilons;

        @Option(names = "--central-noise", split = ",", defaultValue = "0.5,1,2,4",
                description = "Central DP noise multipliers (default: ${DEFAULT-VALUE}).")
        List<Double> centralNoise;

        @Option(names = "--central-clients", defaultValue = "50", description = "Clients in the central-DP runs (default: ${DEFAULT-VALUE}).")
        int centralClients;

        @Option(names = "--target-auc", defaultValue = "0.98",
                description = "Target test AUC of the system metrics (default: ${DEFAULT-VALUE}, as bench async and the demo).")
        double target;

        @Override
        public Integer call() throws Exception {
            io.floe.bench.privacy.PrivacyExperiment.run(new io.floe.bench.privacy.PrivacyExperiment.Plan(scenario.data, scenario.rounds, scenario.seed,
                    localEpsilons, centralNoise, centralClients, 1e-5, target), out, System.out);
            System.out.println("wrote " + out.resolve("results.csv") + ", " + out.resolve("results.md") + ", "
                    + out.resolve("privacy-utility.png") + ", " + out.resolve("system-metrics.json"));
            return 0;
        }
    }

    /** The data and run length shared by the end-to-end experiments. */
    @Command(name = "async", mixinStandardHelpOptions = true,
            description = {"Sync rounds (without and with a deadline), FedAsync and FedBuff (as published,",
                    "and with participation weighting and constant staleness weights) on the",
                    "hospitals scenario under simulated stragglers and dropouts, through the real",
                    "broker and job, each for the same wall-clock budget.",
                    "Writes results.csv, results.md and auc-vs-time-dropout-NN.png."})
    static final class Async implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "floe-out/async", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--data", defaultValue = "data/wdbc/breast_cancer.csv", description = "WDBC CSV (default: ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--seed", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--duration-s", defaultValue = "40", description = "Wall-clock budget per run (default: ${DEFAULT-VALUE}).")
        double duration;

        @Option(names = "--target-auc", defaultValue = "0.98", description = "Target test AUC (default: ${DEFAULT-VALUE}).")
        double target;

        @Option(names = "--client-latency-ms", defaultValue = "200", description = "Local round of a normal device (default: ${DEFAULT-VALUE}).")
        long latency;

        @Option(names = "--stragglers", defaultValue = "0.3:10x", description = "(default: ${DEFAULT-VALUE})")
        String stragglers;

        @Option(names = "--dropouts", split = ",", defaultValue = "0,0.1", description = "Dropout rates, a scenario each (default: ${DEFAULT-VALUE}).")
        List<Double> dropouts;

        @Option(names = "--variants", split = ",", defaultValue = "sync,sync+deadline,fedasync,fedbuff,fedbuff:s=constant;pw=interval;eta=0.5",
                description = {"Comma-separated; options after ':' separated by ';', e.g. fedbuff:k=5;eta=0.5;s=constant;pw=interval",
                        "(default: ${DEFAULT-VALUE})"})
        List<String> variants;

        @Option(names = "--deadline-ms", defaultValue = "600", description = "sync+deadline's round deadline (default: ${DEFAULT-VALUE}).")
        long deadline;

        @Option(names = "--buffer-size", defaultValue = "5", description = "FedBuff's K (default: ${DEFAULT-VALUE}).")
        int bufferSize;

        @Override
        public Integer call() throws Exception {
            io.floe.bench.async.AsyncExperiment.run(new io.floe.bench.async.AsyncExperiment.Plan(data, seed, duration, target, latency,
                    stragglers, dropouts, variants, deadline, bufferSize), out, System.out);
            System.out.println("wrote " + out.resolve("results.csv") + ", " + out.resolve("results.md") + ", "
                    + out.resolve("system-metrics.json") + " and the plots");
            return 0;
        }
    }

    @Command(name = "niid", mixinStandardHelpOptions = true,
            description = {"Fashion-MNIST over 10 clients: NIID-Bench partitions x algorithms against client drift (FedAvg, FedProx,",
                    "SCAFFOLD, FedNova), through the real broker and job, beside centralised and single-client baselines.",
                    "Writes results.csv, rounds.csv, results.md and accuracy-<partition>.png. See docs/benchmarks.md."})
    static final class Niid implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "floe-out/niid", description = "Output folder (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--profile", defaultValue = "quick",
                description = "quick (6,000 images, mlp(784,100,10), 10 rounds x 2 epochs; under 20 min on 2 cores) or full (NIID-Bench: all"
                        + " images, cnn(28,28,1,10), 50 rounds x 10 epochs, batch 64, lr 0.01, momentum 0.9; hours) (default: ${DEFAULT-VALUE}).")
        String profile;

        @Option(names = "--data-dir", description = "Fashion-MNIST IDX directory (default: /usr/share/datasets/fashion-mnist).")
        Path dataDir = io.floe.trainer.data.FashionMnist.DEFAULT_DIR;

        @Option(names = "--partitions", split = ",", defaultValue = "iid,dirichlet:0.5,labels:2,labels:3",
                description = "NIID-Bench partitions (default: ${DEFAULT-VALUE}).")
        List<String> partitions;

        @Option(names = "--algorithms", split = ",", defaultValue = "fedavg,fedprox:mu=0.01,scaffold,fednova",
                description = "Algorithms against client drift (default: ${DEFAULT-VALUE}).")
        List<String> algorithms;

        @Option(names = "--clients", defaultValue = "10", description = "(default: ${DEFAULT-VALUE})")
        int clients;

        @Option(names = "--seed", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--rounds", description = "Override the profile's rounds.")
        Integer rounds;

        @Option(names = "--local-epochs", description = "Override the profile's local epochs.")
        Integer localEpochs;

        @Option(names = "--train-rows", description = "Override the profile's training images (0 = all).")
        Integer trainRows;

        @Option(names = "--test-rows", description = "Override the profile's test images (0 = all).")
        Integer testRows;

        @Option(names = "--model", description = "Override the profile's model, e.g. cnn(28,28,1,10).")
        String model;

        @Option(names = "--target-accuracy", description = "Report the first round reaching this test accuracy (profile default: quick 0.70, full 0.80).")
        Double target;

        @Option(names = "--no-baselines", description = "Skip the centralised and single-client baselines.")
        boolean noBaselines;

        @Override
        public Integer call() throws Exception {
            if (!io.floe.trainer.data.FashionMnist.isPresent(dataDir)) {
                System.err.println("Fashion-MNIST is not in " + dataDir + ": run scripts/setup-fashion-mnist.sh, or pass --data-dir");
                return 2;
            }
            io.floe.bench.niid.NiidProfile p;
            try {
                p = io.floe.bench.niid.NiidProfile.named(profile);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            p = rounds == null ? p : p.withRounds(rounds);
            p = localEpochs == null ? p : p.withLocalEpochs(localEpochs);
            p = trainRows == null && testRows == null ? p
                    : p.withRows(trainRows == null ? p.trainRows() : trainRows, testRows == null ? p.testRows() : testRows);
            p = model == null ? p : p.withModel(model);
            p = target == null ? p : p.withTarget(target);
            io.floe.bench.niid.NiidExperiment.run(new io.floe.bench.niid.NiidExperiment.Plan(dataDir, p, partitions, algorithms, clients,
                    seed, !noBaselines), out, System.out);
            System.out.println("wrote " + out.resolve("results.csv") + ", " + out.resolve("rounds.csv") + ", " + out.resolve("results.md")
                    + ", " + out.resolve("system-metrics.json") + " and accuracy-<partition>.png");
            return 0;
        }
    }

    static final class ScenarioOptions {
        @Option(names = "--data", defaultValue = "data/wdbc/breast_cancer.csv", description = "WDBC CSV (default: ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--rounds", defaultValue = "15", description = "Rounds per run (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of split, weights and shuffling (default: ${DEFAULT-VALUE}).")
        long seed;
    }

}
