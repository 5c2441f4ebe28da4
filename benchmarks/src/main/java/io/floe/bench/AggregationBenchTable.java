package io.floe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A short profile of {@link RobustAggregationBenchmark} (under three minutes): K = 32, d = 1M
 * and K = 10, d = 100k, every benchmark, 2 warm-up and 5 measured iterations of one second in
 * one fork. Writes a JSON file and a markdown table of G elements/s (elements = K * d), from
 * the mean time per operation and from the best iteration: on a machine shared with other work
 * the mean is a lower bound, and the best iteration is closer to what the kernel does alone.
 *
 * <pre>{@code
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/floe-benchmarks.jar io.floe.bench.AggregationBenchTable \
 *     --json floe-out/aggregation-bench.json --markdown floe-out/aggregation-bench.md
 * }</pre>
 *
 * <p>{@code --jvm PATH} runs the forks on another java binary (the same bytecode on a newer JDK).
 */
public final class AggregationBenchTable {
    /** The shapes of the short profile: {K, d}. */
    static final int[][] SHAPES = {{32, 1_000_000}, {10, 100_000}};

    private AggregationBenchTable() {
    }

    /** One measured benchmark: time per operation and throughput. */
    public record Row(String benchmark, int clients, int parameters, String threads, double msPerOp, double msError,
            double bestMsPerOp) {
        /** K * d / mean time, in 10^9 elements per second. */
        public double gigaElementsPerSecond() {
            return (double) clients * parameters / (msPerOp * 1e6);
        }

        /** K * d / time of the best iteration, in 10^9 elements per second. */
        public double bestGigaElementsPerSecond() {
            return (double) clients * parameters / (bestMsPerOp * 1e6);
        }
    }

    public static void main(String[] args) throws IOException, RunnerException {
        Path json = Path.of("floe-out", "aggregation-bench.json");
        Path markdown = Path.of("floe-out", "aggregation-bench.md");
        String jvm = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = Path.of(value(args, ++i));
                case "--markdown" -> markdown = Path.of(value(args, ++i));
                case "--jvm" -> jvm = value(args, ++i);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; usage: [--json FILE] [--markdown FILE] [--jvm JAVA]");
            }
        }
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Row> rows = run(jvm);
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        String machine = String.format(Locale.ROOT, "%d processors, %s %s (%s), load average %.1f before / %.1f after",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"),
                jvm == null ? System.getProperty("java.vm.name") + " " + System.getProperty("java.version") : jvm,
                Instant.now(), loadBefore, loadAfter);
        write(json, toJson(rows, machine));
        write(markdown, toMarkdown(rows, machine));
        System.out.println(toMarkdown(rows, machine));
    }

    /** Runs the short profile, one JMH run per shape. */
    public static List<Row> run(String jvm) throws RunnerException {
        List<Row> rows = new ArrayList<>();
        for (int[] shape : SHAPES) {
            ChainedOptionsBuilder options = new OptionsBuilder()
                    .include(RobustAggregationBenchmark.class.getName() + "\\.")
                    .param("clients", Integer.toString(shape[0]))
                    .param("parameters", Integer.toString(shape[1]))
                    .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                    .forks(1);
            if (jvm != null) {
                options = options.jvm(jvm);
            }
            Collection<RunResult> results = new Runner(options.build()).run();
            for (RunResult r : results) {
                String label = r.getParams().getBenchmark();
                String threads = r.getParams().getParam("threads");
                rows.add(new Row(label.substring(label.lastIndexOf('.') + 1),
                        Integer.parseInt(r.getParams().getParam("clients")),
                        Integer.parseInt(r.getParams().getParam("parameters")),
                        threads == null ? "1" : threads,
                        r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                        r.getPrimaryResult().getStatistics().getMin()));
            }
        }
        rows.sort(Comparator.comparing((Row r) -> -(long) r.clients() * r.parameters())
                .thenComparing(Row::benchmark).thenComparing(Row::threads));
        return rows;
    }

    static String toMarkdown(List<Row> rows, String machine) {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | K | d | threads | ms/op (mean ± 99.9% CI) | best iteration ms/op | G elements/s (mean) | G elements/s (best) |\n");
        sb.append("|---|---:|---:|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.2f ± %.2f | %.2f | %.2f | %.2f |%n", r.benchmark(),
                    r.clients(), r.parameters(), r.threads(), r.msPerOp(), Double.isNaN(r.msError()) ? 0 : r.msError(),
                    r.bestMsPerOp(), r.gigaElementsPerSecond(), r.bestGigaElementsPerSecond()));
        }
        sb.append("\nElements = K x d; G elements/s = K x d / (ms/op x 10^6). threads 1 is one core; 'all' is every ")
                .append("processor the JVM sees. Machine: ").append(machine).append(".\n");
        return sb.toString();
    }

    static String toJson(List<Row> rows, String machine) {
        StringBuilder sb = new StringBuilder("{\n  \"machine\": \"").append(machine.replace("\"", "'"))
                .append("\",\n  \"unit\": \"ms/op\",\n  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT,
                    "    {\"benchmark\": \"%s\", \"clients\": %d, \"parameters\": %d, \"threads\": \"%s\", "
                            + "\"msPerOp\": %.4f, \"msError\": %.4f, \"bestMsPerOp\": %.4f, "
                            + "\"gigaElementsPerSecond\": %.4f, \"bestGigaElementsPerSecond\": %.4f}%s%n",
                    r.benchmark(), r.clients(), r.parameters(), r.threads(), r.msPerOp(),
                    Double.isNaN(r.msError()) ? 0 : r.msError(), r.bestMsPerOp(), r.gigaElementsPerSecond(),
                    r.bestGigaElementsPerSecond(),
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
