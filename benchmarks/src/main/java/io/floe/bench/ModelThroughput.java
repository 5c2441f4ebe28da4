package io.floe.bench;

import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.LocalModels;
import io.floe.trainer.model.LocalModel;
import io.floe.trainer.model.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Local training throughput of a site's model: samples per second of mini-batch SGD (gather of
 * the batch rows, forward, backward, in-place step) through {@link LocalModel#train}, on random
 * inputs and labels, for each model and each nd4j thread count.
 *
 * <p>Each measurement trains one epoch over {@code batch * steps} rows, repeated: warm-up epochs
 * for {@code warmupSeconds}, then measured epochs for {@code seconds}; it reports the median and
 * the best epoch rate. The thread count is set for libnd4j's op and BLAS thread pools
 * ({@code Environment.setMaxThreads}, {@code setMaxMasterThreads}, the BLAS wrapper's
 * {@code setMaxThreads}); "default" is what nd4j chose at start (all cores, or
 * {@code OMP_NUM_THREADS}).
 *
 * <pre>{@code
 * ./floe bench models --models 'cnn(28,28,1,10);mlp(784,200,200,10)' --batch 64 --threads 1,default
 * }</pre>
 */
public final class ModelThroughput {
    private ModelThroughput() {
    }

    /** One measured configuration. */
    public record Row(String model, int batch, String threads, double medianSamplesPerSecond,
            double bestSamplesPerSecond, int epochs) {
        String markdown() {
            return String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f | %d |", model, batch, threads,
                    medianSamplesPerSecond, bestSamplesPerSecond, epochs);
        }
    }

    public static List<Row> run(List<String> models, int batch, int steps, List<String> threadSettings,
            double warmupSeconds, double seconds) {
        int defaultThreads = Nd4j.getEnvironment().maxThreads();
        int defaultMaster = Nd4j.getEnvironment().maxMasterThreads();
        int defaultBlas = Nd4j.factory().blas().getMaxThreads();
        List<Row> rows = new ArrayList<>();
        try {
            for (String threads : threadSettings) {
                boolean byDefault = threads.equals("default");
                int t = byDefault ? defaultThreads : Integer.parseInt(threads);
                Nd4j.getEnvironment().setMaxThreads(t);
                Nd4j.getEnvironment().setMaxMasterThreads(byDefault ? defaultMaster : t);
                Nd4j.factory().blas().setMaxThreads(byDefault ? defaultBlas : t);
                for (String model : models) {
                    rows.add(measure(Architecture.parse(model), batch, steps,
                            byDefault ? "default (" + defaultThreads + ")" : threads, warmupSeconds, seconds));
                }
            }
        } finally {
            Nd4j.getEnvironment().setMaxThreads(defaultThreads);
            Nd4j.getEnvironment().setMaxMasterThreads(defaultMaster);
            Nd4j.factory().blas().setMaxThreads(defaultBlas);
        }
        return rows;
    }

    static Row measure(Architecture arch, int batch, int steps, String threads, double warmupSeconds, double seconds) {
        int n = batch * steps;
        int k = Math.max(2, arch.outputDim());
        SplittableRandom random = new SplittableRandom(42L);
        float[] x = new float[Math.multiplyExact(n, arch.inputDim())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(k);
        }
        List<String> classes = new ArrayList<>();
        List<String> features = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            classes.add("c" + c);
        }
        for (int j = 0; j < arch.inputDim(); j++) {
            features.add("f" + j);
        }
        Dataset data = new Dataset(x, labels, features, classes);
        LocalModel model = LocalModels.create(arch, 1L);
        TrainingConfig cfg = new TrainingConfig(0.01, 1, batch, 7L).withMomentum(0.9);
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmupEnd) {
            model.train(data, cfg);
        }
        List<Double> rates = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end || rates.size() < 3) {
            long t0 = System.nanoTime();
            model.train(data, cfg);
            rates.add(n / ((System.nanoTime() - t0) / 1e9));
        }
        double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Row(arch.toString(), batch, threads, sorted[sorted.length / 2], sorted[sorted.length - 1],
                sorted.length);
    }

    /** Prints a markdown table; arguments as the {@code floe bench models} command takes them. */
    public static void main(String[] args) {
        List<String> models = List.of("cnn(28,28,1,10)", "mlp(784,200,200,10)");
        int batch = 64;
        int steps = 16;
        List<String> threads = List.of("1", "default");
        double warmup = 3;
        double seconds = 10;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--models" -> models = Arrays.asList(v.split(";"));
                case "--batch" -> batch = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--threads" -> threads = Arrays.asList(v.split(","));
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.println("| model | batch | threads | samples/s (median) | samples/s (best) | epochs |");
        System.out.println("|---|---|---|---|---|---|");
        for (Row row : run(models, batch, steps, threads, warmup, seconds)) {
            System.out.println(row.markdown());
        }
    }
}
