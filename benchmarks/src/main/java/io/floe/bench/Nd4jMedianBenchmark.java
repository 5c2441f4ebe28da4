package io.floe.bench;

import io.floe.core.kernel.CoordinateKernels;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * nd4j's coordinate-wise median, {@code INDArray.median(0)} over the [K, d] matrix of the same K
 * client arrays {@link RobustAggregationBenchmark} uses (same generator, same seed), so the two
 * sit side by side in one table. Throughput in elements = K * d / (time per call).
 *
 * <p>One call takes seconds (nd4j 1.0.0-M2.1 sorts along dimension 0 natively, then visits the d
 * columns one by one from Java: {@code tensorAlongDimension}, {@code getPercentile},
 * {@code putScalar} per coordinate: about 33 us each on a 2-core EPYC VM, so 33 s at d = 1M and
 * minutes at d = 10M), so this is a single-shot benchmark: by default no warm-up shot (the
 * setup's check below warms up that Java path) and one measured shot;
 * {@link AggregationBenchTable} sets its own count.
 * {@code Nd4j.create(columns)} runs once in the setup, untimed. The setup also checks, on the
 * first 10,000 coordinates, that nd4j's result equals {@link CoordinateKernels#median} bit for
 * bit, and that warms up the per-coordinate Java path before the timed shot.
 *
 * <p>Where the two differ (not in this data): nd4j interpolates {@code lo + f * (hi - lo)}; for
 * even K that is the mean of the two middle values, as in floe. For odd K, f = 0 adds
 * {@code 0 * (hi - lo)}, which turns a median of {@code -0.0f} into {@code +0.0f} and an
 * infinite median into NaN ({@code 0 * Infinity}); floe returns {@code -0.0f} and the infinity.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class Nd4jMedianBenchmark {
    /** Coordinates checked against floe's kernel in the setup. */
    static final int CHECKED = 10_000;

    /** The same K x d floats as {@link RobustAggregationBenchmark.Data}, as one nd4j matrix. */
    @State(Scope.Benchmark)
    public static class Data {
        @Param({"10", "32", "100"})
        public int clients;

        @Param({"100000", "1000000", "10000000"})
        public int parameters;

        INDArray matrix;

        @Setup
        public void setup() {
            long elements = (long) clients * parameters;
            if (elements > RobustAggregationBenchmark.MAX_ELEMENTS) {
                throw new IllegalStateException("K=" + clients + " x d=" + parameters + " is " + elements * 4 / 1_000_000
                        + " MB of input, above the 3 GB heap these benchmarks fork with: excluded");
            }
            float[][] columns = RobustAggregationBenchmark.Data.generate(clients, parameters, new float[clients]);
            checkSmallCase();
            checkAgainstFloe(columns);
            matrix = Nd4j.create(columns);
        }

        /** Hand-computed: even K averages the two middle values in nd4j as in floe. */
        private static void checkSmallCase() {
            float[][] c = {{1, 5, -3}, {2, 4, 0.25f}, {3, 3, 7}, {10, 2, 8}};
            float[] floe = new float[3];
            CoordinateKernels.median(c, floe, 1);
            RobustAggregationBenchmark.Data.requireEqual("nd4j median(0), K=4 by hand", Nd4j.create(c).median(0).toFloatVector(),
                    floe);
            RobustAggregationBenchmark.Data.requireEqual("floe median, K=4 by hand", floe, new float[] {2.5f, 3.5f, 3.625f});
        }

        private static void checkAgainstFloe(float[][] columns) {
            int n = Math.min(columns[0].length, CHECKED);
            float[][] head = new float[columns.length][];
            for (int k = 0; k < columns.length; k++) {
                head[k] = Arrays.copyOf(columns[k], n);
            }
            float[] floe = new float[n];
            CoordinateKernels.median(head, floe, 1);
            RobustAggregationBenchmark.Data.requireEqual("nd4j median(0) vs floe's median", Nd4j.create(head).median(0)
                    .toFloatVector(), floe);
        }
    }

    @Benchmark
    public INDArray nd4jMedian(Data data) {
        return data.matrix.median(0);
    }
}
