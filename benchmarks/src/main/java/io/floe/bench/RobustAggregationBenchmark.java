package io.floe.bench;

import io.floe.core.aggregate.KrumScores;
import io.floe.core.kernel.CoordinateKernels;
import io.floe.core.kernel.PairwiseDistances;
import io.floe.core.kernel.ReferenceKernels;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The robust-aggregation kernels over K client deltas of d floats: coordinate-wise median,
 * trimmed mean (beta = 0.1), Krum (pairwise squared distances plus scores, f = 1), and beside
 * them the plain float weighted sum over the same arrays, the memory-bound reference (one
 * multiply-add per element read). Throughput in elements = K * d / (time per operation).
 *
 * <p>{@code threads} is 1 (one core: the per-core figure) or {@code all} (the kernels' default,
 * every processor the JVM sees). The weighted sum is single-threaded and takes no such
 * parameter. Before measuring, {@link Data#setup()} checks the kernels against
 * {@link ReferenceKernels} on the first coordinates of the same data.
 *
 * <p>K = 100 with d = 10M is excluded: its input alone is 4 GB of floats, above the 3 GB heap
 * these benchmarks fork with; its setup fails with a message and JMH goes on with the next
 * combination. nd4j's {@code INDArray.median(0)} over the same arrays is
 * {@link Nd4jMedianBenchmark} (single shots: it takes seconds per call).
 *
 * <pre>{@code
 * ./floe bench aggregation --json floe-out/aggregation-bench.json --markdown floe-out/aggregation-bench.md
 * # the full matrix: JMH's own command line on the module's classpath
 * java -Xmx4g -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main \
 *     RobustAggregationBenchmark -rf json -rff floe-out/robust-jmh.json
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class RobustAggregationBenchmark {
    /** f for Krum: one client assumed Byzantine. */
    static final int KRUM_BYZANTINE = 1;
    /** beta for the trimmed mean. */
    static final double TRIM_FRACTION = 0.1;
    /** Inputs above this many floats (2 GB) do not fit the forked heap with their outputs. */
    static final long MAX_ELEMENTS = 1L << 29;

    /** K client arrays of d Gaussian floats, and FedAvg-like weights for the weighted sum. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"10", "32", "100"})
        public int clients;

        @Param({"100000", "1000000", "10000000"})
        public int parameters;

        float[][] columns;
        float[] weights;
        int trimEachSide;
        /** The same arrays as client updates (not copied), for {@link #fedAvgRound}. */
        java.util.List<io.floe.core.aggregate.ClientUpdate> updates;
        io.floe.core.tensor.ModelWeights layout;
        io.floe.core.settings.AggregationSettings fedAvgDefaults;
        /** FedAvg under a policy that judges no cosine (cosineThreshold -1): its norm scores from the fold. */
        io.floe.core.settings.AggregationSettings fedAvgNormsOnly;

        @Setup
        public void setup() {
            long elements = (long) clients * parameters;
            if (elements > MAX_ELEMENTS) {
                throw new IllegalStateException("K=" + clients + " x d=" + parameters + " is " + elements * 4 / 1_000_000
                        + " MB of input, above the 3 GB heap these benchmarks fork with: excluded");
            }
            weights = new float[clients];
            columns = generate(clients, parameters, weights);
            trimEachSide = (int) Math.floor(TRIM_FRACTION * clients);
            updates = new java.util.ArrayList<>(clients);
            for (int k = 0; k < clients; k++) {
                updates.add(new io.floe.core.aggregate.ClientUpdate(String.format("u-%04d", k), "c" + k, 0,
                        Math.round(weights[k] * 1_000_000), 1, new io.floe.core.tensor.ModelWeights(java.util.List.of(
                                new io.floe.core.tensor.Tensor("w", new int[] {parameters}, columns[k]))), java.util.Map.of()));
            }
            layout = new io.floe.core.tensor.ModelWeights(java.util.List.of(
                    new io.floe.core.tensor.Tensor("w", new int[] {parameters}, new float[parameters])));
            fedAvgDefaults = io.floe.core.settings.AggregationSettings.from(io.floe.schema.AggregationConfig.newBuilder()
                    .setRule("fedavg").setClientsPerRound(clients).build());
            fedAvgNormsOnly = io.floe.core.settings.AggregationSettings.from(io.floe.schema.AggregationConfig.newBuilder()
                    .setRule("fedavg").setClientsPerRound(clients).setCosineThreshold(-1.0).build());
            checkAgainstReference();
        }

        /**
         * The benchmark data, the same for every benchmark of the same K and d (seed 42): K arrays
         * of d standard Gaussian floats, and in {@code weights} K FedAvg-like weights summing to 1.
         * {@link Nd4jMedianBenchmark} calls it too, so nd4j's median sees exactly these arrays.
         */
        static float[][] generate(int clients, int parameters, float[] weights) {
            SplittableRandom rnd = new SplittableRandom(42);
            float[][] columns = new float[clients][parameters];
            float total = 0;
            for (int k = 0; k < clients; k++) {
                float[] v = columns[k];
                for (int j = 0; j < parameters; j++) {
                    v[j] = (float) rnd.nextGaussian();
                }
                weights[k] = 10 + rnd.nextInt(1000);
                total += weights[k];
            }
            for (int k = 0; k < clients; k++) {
                weights[k] /= total;
            }
            return columns;
        }

        /** Lucene-style: a benchmark that pairs variants first checks that they agree. */
        private void checkAgainstReference() {
            int n = Math.min(parameters, 10_000);
            float[][] head = new float[clients][];
            for (int k = 0; k < clients; k++) {
                head[k] = Arrays.copyOf(columns[k], n);
            }
            float[] fast = new float[n];
            float[] ref = new float[n];
            CoordinateKernels.median(head, fast);
            ReferenceKernels.median(head, ref);
            requireEqual("median", fast, ref);
            CoordinateKernels.trimmedMean(head, trimEachSide, fast);
            ReferenceKernels.trimmedMean(head, trimEachSide, ref);
            requireEqual("trimmed mean", fast, ref);
        }

        static void requireEqual(String what, float[] fast, float[] ref) {
            int at = Arrays.mismatch(fast, ref);
            if (at >= 0) {
                throw new IllegalStateException(what + " kernel differs from the reference at " + at + ": " + fast[at]
                        + " vs " + ref[at]);
            }
        }
    }

    /** How many threads the kernels may use. */
    @State(Scope.Benchmark)
    public static class Threads {
        @Param({"1", "all"})
        public String threads;

        int max;

        @Setup
        public void setup() {
            max = "all".equals(threads) ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        }
    }

    @Benchmark
    public float[] median(Data data, Threads threads) {
        float[] out = new float[data.parameters];
        CoordinateKernels.median(data.columns, out, threads.max);
        return out;
    }

    @Benchmark
    public float[] trimmedMean(Data data, Threads threads) {
        float[] out = new float[data.parameters];
        CoordinateKernels.trimmedMean(data.columns, data.trimEachSide, out, threads.max);
        return out;
    }

    /** Krum's work: the K x K squared distances and each update's score. */
    @Benchmark
    public double[] krum(Data data, Threads threads) {
        double[][] d2 = PairwiseDistances.squaredL2(data.columns, threads.max);
        return KrumScores.of(d2, KRUM_BYZANTINE);
    }

    /**
     * A FedAvg round close as the job runs it (RoundAggregation): the default anomaly policy's
     * scores (norms, robust z, cosine to the coordinate-wise median, kernels on every processor),
     * the flag verdicts and FedAvg in double. Issue 13 compares it with {@link #weightedSum}.
     */
    @Benchmark
    public io.floe.core.server.RoundAggregation.Outcome fedAvgRound(Data data) {
        return io.floe.core.server.RoundAggregation.run(data.updates, data.layout, data.fedAvgDefaults);
    }

    /**
     * The same round under a policy that judges no cosine ({@code --cosine-threshold -1}): no
     * coordinate-wise median, the norm scores summed in the fold's own pass (issue 13's "scoring from
     * the fold, not a second pass").
     */
    @Benchmark
    public io.floe.core.server.RoundAggregation.Outcome fedAvgRoundNormsOnly(Data data) {
        return io.floe.core.server.RoundAggregation.run(data.updates, data.layout, data.fedAvgNormsOnly);
    }

    /** Baseline: out += w_k * delta_k in float, one thread; bounded by memory bandwidth. */
    @Benchmark
    public float[] weightedSum(Data data) {
        float[] out = new float[data.parameters];
        for (int k = 0; k < data.clients; k++) {
            float w = data.weights[k];
            float[] v = data.columns[k];
            for (int j = 0; j < out.length; j++) {
                out[j] += w * v[j];
            }
        }
        return out;
    }
}
