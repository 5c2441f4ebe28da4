package io.floe.bench.compression;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./floe bench compression}: its options, then {@link CompressionExperiment} over the chosen rows and scenarios. */
@Command(name = "compression", mixinStandardHelpOptions = true,
        description = {"Dense, fp16, int8 and top-k updates (10%%, 1%%, 0.1%%), each with and without error feedback, plus median",
                "over int8, on the hospitals and Fashion-MNIST (Dirichlet 0.5) demos' settings, through the real broker and job.",
                "Writes --json and, in its folder, results.csv, rounds.csv, results.md and <scenario>-score-vs-bytes.png.",
                "See docs/compression.md."})
public final class CompressionCommand implements Callable<Integer> {
    @Option(names = "--profile", defaultValue = "quick",
            description = "quick (Fashion-MNIST: the demo's 20,000 images, 15 rounds; about 12 min on 2 cores) or full (all 60,000"
                    + " images, 30 rounds) (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--json", defaultValue = "floe-out/compression/results.json",
            description = "Results JSON; the other files go next to it (default: ${DEFAULT-VALUE}).")
    Path json;

    @Option(names = "--scenarios", split = ",", defaultValue = "hospitals,fmnist", description = "(default: ${DEFAULT-VALUE})")
    List<String> scenarios;

    @Option(names = "--variants", split = ";",
            description = {"Rows as RULE/COMPRESSION[/no-ef], ';'-separated, e.g. 'fedavg/int8;fedavg/topk:ratio=0.01/no-ef'",
                    "(default: the full plan, docs/compression.md)."})
    List<String> variants;

    @Option(names = "--data", defaultValue = "data/wdbc/breast_cancer.csv", description = "WDBC CSV (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--data-dir", description = "Fashion-MNIST IDX directory (default: /usr/share/datasets/fashion-mnist).")
    Path dataDir = io.floe.trainer.data.FashionMnist.DEFAULT_DIR;

    @Option(names = "--seed", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        io.floe.bench.compression.CompressionExperiment.Plan plan;
        try {
            List<io.floe.bench.compression.CompressionVariant> rows = variants == null
                    ? io.floe.bench.compression.CompressionVariant.plan()
                    : variants.stream().map(io.floe.bench.compression.CompressionVariant::parse).toList();
            plan = new io.floe.bench.compression.CompressionExperiment.Plan(data, dataDir,
                    io.floe.bench.compression.CompressionProfile.named(profile), rows, seed, scenarios);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (scenarios.contains("fmnist") && !io.floe.trainer.data.FashionMnist.isPresent(dataDir)) {
            System.err.println("Fashion-MNIST is not in " + dataDir + ": run scripts/setup-fashion-mnist.sh, or pass --data-dir");
            return 2;
        }
        io.floe.bench.compression.CompressionExperiment.run(plan, json, System.out);
        System.out.println("wrote " + json + " and, next to it, results.csv, rounds.csv, results.md and <scenario>-score-vs-bytes.png");
        return 0;
    }
}
