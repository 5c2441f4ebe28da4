package io.floe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A short profile of the aggregation kernels (under three minutes on 2 cores): K = 32, d = 1M and
 * K = 10, d = 100k. For each shape, {@link RobustAggregationBenchmark} (median, trimmed mean,
 * Krum on 1 thread and on all processors, and the plain weighted sum, the memory-bound
 * reference) in one fork, 5 measured iterations after 2 warm-ups of 1 s each at K x d >= 10M,
 * after 6 warm-ups of 0.5 s each below (see {@link Shape#of}), then {@link Nd4jMedianBenchmark},
 * nd4j's {@code INDArray.median(0)} over the same arrays, as single shots: one from 10M elements
 * on (a call takes tens of seconds there), two below. Writes a JSON file and a markdown report: a summary of G elements/s (elements =
 * K * d) per rule and shape, then every row with its time per operation. G elements/s is given
 * from the mean time and from the best iteration: on a machine shared with other work the mean
 * is a lower bound, and the best iteration is closer to what the kernel does alone.
 *
 * <pre>{@code
 * ./floe bench aggregation --json floe-out/aggregation-bench.json --markdown floe-out/aggregation-bench.md
 * }</pre>
 *
 * <p>{@code --shapes KxD,...} measures other shapes (e.g. {@code 100x1000000}); {@code --jvm PATH}
 * runs the forks on another java binary (the same bytecode on a newer JDK); {@code --no-nd4j}
 * leaves nd4j out.
 */
public final class AggregationBenchTable {
    /**
     * One shape: K and d, how many warm-up iterations the floe kernels get and how long each
     * warm-up and measured iteration runs, and how many single shots nd4j gets (its setup already
     * warms up its per-coordinate path on 10,000 coordinates, so no warm-up shot).
     */
    record Shape(int clients, int parameters, int warmupIterations, int iterationMillis, int nd4jShots) {
        /**
         * From 10M elements on: 2 warm-ups and 5 measured iterations of 1 s, one nd4j shot. Below:
         * 6 warm-ups and 5 measured iterations of 0.5 s, two nd4j shots. Small shapes need the
         * longer warm-up because their operations allocate their d-float output thousands of
         * times a second: until the young generation has been gone through once, each new heap
         * page is touched for the first time, and on a VM that page fault costs about 2 ms per MB
         * (pre-touching a 3 GB heap takes 6 s here), which slowed every kernel at d = 100k
         * several-fold for the first 2 to 3 seconds of each fork.
         */
        static Shape of(int clients, int parameters) {
            boolean large = (long) clients * parameters >= 10_000_000L;
            return large ? new Shape(clients, parameters, 2, 1000, 1) : new Shape(clients, parameters, 6, 500, 2);
        }

        /** "KxD", e.g. "32x1000000". */
        static Shape parse(String text) {
            String[] kd = text.trim().toLowerCase(Locale.ROOT).split("x");
            if (kd.length != 2) {
                throw new IllegalArgumentException("shape '" + text + "': expected KxD, e.g. 32x1000000");
            }
            return of(Integer.parseInt(kd[0].trim()), Integer.parseInt(kd[1].trim()));
        }

        String label() {
            return "K=" + clients + ", d=" + (parameters % 1_000_000 == 0 ? parameters / 1_000_000 + "M"
                    : parameters % 1000 == 0 ? parameters / 1000 + "k" : Integer.toString(parameters));
        }
    }

    /** The shapes of the short profile. */
    static final List<Shape> SHAPES = List.of(Shape.of(32, 1_000_000), Shape.of(10, 100_000));

    /** Summary rows: benchmark and threads, in the order the report lists them. */
    private static final String[][] SUMMARY_ORDER = {{"weightedSum", "1"}, {"fedAvgRound", "1"}, {"fedAvgRoundNormsOnly", "1"}, {"median", "1"}, {"median", "all"},
            {"trimmedMean", "1"}, {"trimmedMean", "all"}, {"krum", "1"}, {"krum", "all"}, {"nd4jMedian", "nd4j"}};

    private AggregationBenchTable() {
    }

    /**
     * One measured benchmark: time per operation and throughput. {@code iterations} is the
     * number of measured iterations; {@code singleShot} when each iteration is one call.
     */
    public record Row(String benchmark, int clients, int parameters, String threads, double msPerOp, double msError,
            double bestMsPerOp, int iterations, boolean singleShot, int iterationMillis, int warmupIterations) {
        /** K * d / mean time, in 10^9 elements per second. */
        public double gigaElementsPerSecond() {
            return (double) clients * parameters / (msPerOp * 1e6);
        }

        /** K * d / time of the best iteration, in 10^9 elements per second. */
        public double bestGigaElementsPerSecond() {
            return (double) clients * parameters / (bestMsPerOp * 1e6);
        }

        boolean hasError() {
            return iterations > 1 && !Double.isNaN(msError) && !Double.isInfinite(msError);
        }
    }

    public static void main(String[] args) throws IOException, RunnerException {
        Path json = Path.of("floe-out", "aggregation-bench.json");
        Path markdown = Path.of("floe-out", "aggregation-bench.md");
        String jvm = null;
        boolean nd4j = true;
        List<Shape> shapes = SHAPES;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = Path.of(value(args, ++i));
                case "--markdown" -> markdown = Path.of(value(args, ++i));
                case "--jvm" -> jvm = value(args, ++i);
                case "--no-nd4j" -> nd4j = false;
                case "--shapes" -> shapes = Arrays.stream(value(args, ++i).split(",")).map(Shape::parse).toList();
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; usage: [--json FILE] [--markdown FILE] [--jvm JAVA] [--no-nd4j] [--shapes KxD,...]");
            }
        }
        Instant start = Instant.now();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Row> rows = run(shapes, jvm, nd4j);
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Duration took = Duration.between(start, Instant.now());
        String machine = String.format(Locale.ROOT,
                "%d processors (%s), %s, %s; started %s, took %d min %02d s; load average %.1f before / %.1f after",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("os.arch"),
                jvm == null ? System.getProperty("java.vm.name") + " " + System.getProperty("java.version") : jvm,
                start.truncatedTo(ChronoUnit.SECONDS), took.toMinutes(), took.toSecondsPart(), loadBefore, loadAfter);
        write(json, toJson(rows, machine));
        String report = toMarkdown(rows, shapes, machine);
        write(markdown, report);
        System.out.println();
        System.out.println(report);
        System.out.println("wrote " + json + ", " + markdown);
    }

    /** Runs the short profile: per shape, the floe kernels and the weighted sum, then nd4j's median. */
    public static List<Row> run(List<Shape> shapes, String jvm, boolean nd4j) throws RunnerException {
        List<Row> rows = new ArrayList<>();
        for (Shape shape : shapes) {
            ChainedOptionsBuilder kernels = new OptionsBuilder()
                    .include(RobustAggregationBenchmark.class.getName() + "\\.")
                    .param("clients", Integer.toString(shape.clients()))
                    .param("parameters", Integer.toString(shape.parameters()))
                    .warmupIterations(shape.warmupIterations())
                    .warmupTime(TimeValue.milliseconds(shape.iterationMillis()))
                    .measurementIterations(5).measurementTime(TimeValue.milliseconds(shape.iterationMillis()))
                    .forks(1);
            rows.addAll(collect(new Runner(withJvm(kernels, jvm).build()).run(), false));
            if (nd4j) {
                ChainedOptionsBuilder median = new OptionsBuilder()
                        .include(Nd4jMedianBenchmark.class.getName() + "\\.")
                        .param("clients", Integer.toString(shape.clients()))
                        .param("parameters", Integer.toString(shape.parameters()))
                        .mode(Mode.SingleShotTime)
                        .warmupIterations(0)
                        .measurementIterations(shape.nd4jShots())
                        .forks(1);
                rows.addAll(collect(new Runner(withJvm(median, jvm).build()).run(), true));
            }
        }
        rows.sort(Comparator.comparing((Row r) -> -(long) r.clients() * r.parameters())
                .thenComparing(Row::benchmark).thenComparing(Row::threads));
        return rows;
    }

    private static ChainedOptionsBuilder withJvm(ChainedOptionsBuilder options, String jvm) {
        return jvm == null ? options : options.jvm(jvm);
    }

    private static List<Row> collect(Collection<RunResult> results, boolean singleShot) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String threads = r.getParams().getParam("threads");
            rows.add(new Row(label.substring(label.lastIndexOf('.') + 1),
                    Integer.parseInt(r.getParams().getParam("clients")),
                    Integer.parseInt(r.getParams().getParam("parameters")),
                    singleShot ? "nd4j" : threads == null ? "1" : threads,
                    r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                    r.getPrimaryResult().getStatistics().getMin(),
                    (int) r.getPrimaryResult().getStatistics().getN(), singleShot,
                    singleShot ? 0 : (int) r.getParams().getMeasurement().getTime().convertTo(TimeUnit.MILLISECONDS),
                    r.getParams().getWarmup().getCount()));
        }
        return rows;
    }

    /** The markdown report: the summary (rule x shape, G elements/s), then every row. */
    static String toMarkdown(List<Row> rows, List<Shape> profile, String machine) {
        List<Shape> shapes = profile.stream()
                .filter(s -> rows.stream().anyMatch(r -> r.clients() == s.clients() && r.parameters() == s.parameters()))
                .toList();
        StringBuilder sb = new StringBuilder();
        sb.append("G elements/s (elements = K x d), from the mean time per operation (best iteration in brackets):\n\n");
        sb.append("| rule | threads |");
        shapes.forEach(s -> sb.append(' ').append(s.label()).append(" |"));
        sb.append("\n|---|---|");
        shapes.forEach(s -> sb.append("---:|"));
        sb.append('\n');
        for (String[] key : SUMMARY_ORDER) {
            List<Row> ofKey = rows.stream().filter(r -> r.benchmark().equals(key[0]) && r.threads().equals(key[1])).toList();
            if (ofKey.isEmpty()) {
                continue;
            }
            sb.append("| ").append(displayName(key[0])).append(" | ").append(key[1]).append(" |");
            for (Shape s : shapes) {
                Row r = ofKey.stream().filter(x -> x.clients() == s.clients() && x.parameters() == s.parameters())
                        .findFirst().orElse(null);
                sb.append(r == null ? " - |" : r.iterations() <= 1
                        ? String.format(Locale.ROOT, " %s |", gigas(r.gigaElementsPerSecond()))
                        : String.format(Locale.ROOT, " %s (%s) |", gigas(r.gigaElementsPerSecond()),
                                gigas(r.bestGigaElementsPerSecond())));
            }
            sb.append('\n');
        }
        for (Shape s : shapes) {
            Row sum = find(rows, "weightedSum", s);
            Row round = find(rows, "fedAvgRound", s);
            if (sum != null && round != null) {
                sb.append(String.format(Locale.ROOT, "%nFedAvg round with the default scores at %s: %.2f ms, %.1f x the weighted sum"
                        + " (%.2f ms; best iterations %.1f x).%n", s.label(), round.msPerOp(), round.msPerOp() / sum.msPerOp(),
                        sum.msPerOp(), round.bestMsPerOp() / sum.bestMsPerOp()));
            }
            Row normsOnly = find(rows, "fedAvgRoundNormsOnly", s);
            if (sum != null && normsOnly != null) {
                sb.append(String.format(Locale.ROOT, "FedAvg round with norm scores only (cosine threshold -1) at %s: %.2f ms, %.1f x"
                        + " the weighted sum (best iterations %.1f x).%n", s.label(), normsOnly.msPerOp(),
                        normsOnly.msPerOp() / sum.msPerOp(), normsOnly.bestMsPerOp() / sum.bestMsPerOp()));
            }
        }
        sb.append("\n| benchmark | K | d | threads | iterations | ms/op (mean ± 99.9% CI) | best iteration ms/op ")
                .append("| G elements/s (mean) | G elements/s (best) |\n");
        sb.append("|---|---:|---:|---|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            String iterations = r.iterations() + (r.singleShot() ? (r.iterations() == 1 ? " single shot" : " single shots")
                    : (r.iterationMillis() % 1000 == 0 ? " x " + r.iterationMillis() / 1000 + " s"
                    : " x " + r.iterationMillis() + " ms") + " after " + r.warmupIterations());
            String error = r.hasError() ? String.format(Locale.ROOT, " ± %.2f", r.msError()) : "";
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %.2f%s | %.2f | %s | %s |%n", r.benchmark(),
                    r.clients(), r.parameters(), r.threads(), iterations, r.msPerOp(), error, r.bestMsPerOp(),
                    gigas(r.gigaElementsPerSecond()), gigas(r.bestGigaElementsPerSecond())));
        }
        sb.append("\nG elements/s = K x d / (ms/op x 10^6). threads 1 is one core (the per-core figure); 'all' is ")
                .append("every processor the JVM sees; 'nd4j' is nd4j's own threading (native sort on its OpenMP ")
                .append("threads, then a Java loop over the d coordinates on one thread). Trimmed mean: beta = 0.1; ")
                .append("Krum: pairwise squared distances and scores, f = 1. nd4j: INDArray.median(0) over the same ")
                .append("[K, d] floats, single shots after an untimed Nd4j.create and a check against floe's median ")
                .append("on the first 10,000 coordinates. Machine: ").append(machine).append(".\n");
        return sb.toString();
    }

    private static Row find(List<Row> rows, String benchmark, Shape s) {
        return rows.stream().filter(r -> r.benchmark().equals(benchmark) && r.clients() == s.clients()
                && r.parameters() == s.parameters()).findFirst().orElse(null);
    }

    private static String displayName(String benchmark) {
        return switch (benchmark) {
            case "weightedSum" -> "weighted sum (reference)";
            case "fedAvgRound" -> "FedAvg round, default scores (its kernels on all threads)";
            case "fedAvgRoundNormsOnly" -> "FedAvg round, norm scores from the fold (cosine threshold -1)";
            case "trimmedMean" -> "trimmed mean";
            case "nd4jMedian" -> "nd4j median(0)";
            default -> benchmark;
        };
    }

    /** Two decimals, or three significant digits below 0.1, never in exponent form (nd4j's figures are small). */
    static String gigas(double g) {
        if (g >= 0.1 || g <= 0 || !Double.isFinite(g)) {
            return String.format(Locale.ROOT, "%.2f", g);
        }
        return new BigDecimal(g).round(new MathContext(3)).toPlainString();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave the model out
        }
        return "CPU model unknown";
    }

    static String toJson(List<Row> rows, String machine) {
        StringBuilder sb = new StringBuilder("{\n  \"machine\": \"").append(machine.replace("\"", "'"))
                .append("\",\n  \"unit\": \"ms/op\",\n  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT,
                    "    {\"benchmark\": \"%s\", \"clients\": %d, \"parameters\": %d, \"threads\": \"%s\", "
                            + "\"warmupIterations\": %d, \"iterations\": %d, \"singleShot\": %s, "
                            + "\"msPerOp\": %.4f, \"msError\": %s, \"bestMsPerOp\": %.4f, "
                            + "\"gigaElementsPerSecond\": %.6f, \"bestGigaElementsPerSecond\": %.6f}%s%n",
                    r.benchmark(), r.clients(), r.parameters(), r.threads(), r.warmupIterations(), r.iterations(),
                    r.singleShot(), r.msPerOp(), r.hasError() ? String.format(Locale.ROOT, "%.4f", r.msError()) : "null", r.bestMsPerOp(),
                    r.gigaElementsPerSecond(), r.bestGigaElementsPerSecond(),
                    i + 1 < rows.size() ? "," : ""));
        }
        return sb.append("  ]\n}\n").toString();
    }

    private static void write(Path file, String text) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, text);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
