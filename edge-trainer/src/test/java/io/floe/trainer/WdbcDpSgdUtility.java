package io.floe.trainer;

import io.floe.core.privacy.RdpAccountant;
import io.floe.trainer.data.CsvDatasetLoader;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.LabelSkewPartitioner;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.data.StratifiedSplit;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.DenseNetwork;
import io.floe.trainer.model.DpSgd;
import io.floe.trainer.model.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Privacy-utility check of DP-SGD on WDBC, trained centrally (one site holding all training
 * rows), on the split of {@link CentralWdbcTrainingTest}: test AUC of {@code logreg(30)} for
 * several target epsilons at delta 1e-5 against the same training without DP. Sigma is derived
 * for the whole run ({@code epochs x ceil(n / B)} steps at {@code q = B / n}); each setting runs
 * with several secret seeds, since DP-SGD's result is random.
 *
 * <p>Run from the repository root (about a minute):
 * <pre>
 * mvn -q -pl edge-trainer test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp edge-trainer/target/test-classes:edge-trainer/target/classes:$(cat edge-trainer/target/test-classpath.txt) \
 *     io.floe.trainer.WdbcDpSgdUtility data/wdbc/breast_cancer.csv
 * </pre>
 */
public final class WdbcDpSgdUtility {
    private static final double[] EPSILONS = {0.5, 1, 2, 4, 8};
    private static final double[] LEARNING_RATES = {0.1, 0.5, 1.0};
    private static final int EPOCHS = 30;
    private static final int BATCH = 32;
    private static final double CLIP = 1.0;
    private static final double DELTA = 1e-5;
    private static final int SEEDS = 10;

    private WdbcDpSgdUtility() {
    }

    public static void main(String[] args) throws IOException {
        Path csv = Path.of(args.length > 0 ? args[0] : "../data/wdbc/breast_cancer.csv");
        Dataset wdbc = CsvDatasetLoader.defaults().load(csv);
        StratifiedSplit split = StratifiedSplit.of(
                wdbc, LabelSkewPartitioner.DEFAULT_TEST_FRACTION, LabelSkewPartitioner.DEFAULT_SEED);
        StandardScaler scaler = StandardScaler.fit(split.train());
        Dataset train = scaler.transform(split.train());
        Dataset test = scaler.transform(split.holdout());
        Architecture arch = Architecture.logisticRegression(30);
        int n = train.size();
        DpSgd shape = new DpSgd(CLIP, 0.0, BATCH);
        double q = shape.sampleRate(n);
        long steps = (long) EPOCHS * shape.stepsPerEpoch(n);
        System.out.printf("WDBC logreg(30), %d train / %d test rows, %d epochs, expected batch %d (q = %.4f, %d steps),"
                + " C = %.1f, delta = %.0e, %d seeds per cell; test AUC mean [min, max]%n", n, test.size(), EPOCHS,
                BATCH, q, steps, CLIP, DELTA, SEEDS);
        System.out.printf("%-10s %-8s", "epsilon", "sigma");
        for (double lr : LEARNING_RATES) {
            System.out.printf(" | %-26s", "lr " + lr);
        }
        System.out.println();
        for (double epsilon : EPSILONS) {
            double sigma = RdpAccountant.noiseMultiplier(epsilon, DELTA, q, steps);
            System.out.printf("%-10s %-8.4f", epsilon, sigma);
            for (double lr : LEARNING_RATES) {
                double[] auc = new double[SEEDS];
                for (int s = 0; s < SEEDS; s++) {
                    DenseNetwork net = new DenseNetwork(arch, arch.initialWeights(TrainingConfig.DEFAULT_SEED));
                    net.train(train, new TrainingConfig(lr, EPOCHS, BATCH, 1000L + s), new DpSgd(CLIP, sigma, BATCH));
                    auc[s] = BinaryMetrics.of(test.labels(), net.predictProba(test)).auc();
                }
                System.out.printf(" | %s", summary(auc));
            }
            System.out.println();
        }
        DenseNetwork untrained = new DenseNetwork(arch, arch.initialWeights(TrainingConfig.DEFAULT_SEED));
        System.out.printf("untrained (initial weights) test AUC %.4f%n",
                BinaryMetrics.of(test.labels(), untrained.predictProba(test)).auc());
        System.out.printf("%-10s %-8s", "no DP", "-");
        for (double lr : LEARNING_RATES) {
            double[] auc = new double[SEEDS];
            for (int s = 0; s < SEEDS; s++) {
                DenseNetwork net = new DenseNetwork(arch, arch.initialWeights(TrainingConfig.DEFAULT_SEED));
                net.train(train, new TrainingConfig(lr, EPOCHS, BATCH, 1000L + s));
                auc[s] = BinaryMetrics.of(test.labels(), net.predictProba(test)).auc();
            }
            System.out.printf(" | %s", summary(auc));
        }
        System.out.println();
    }

    private static String summary(double[] values) {
        return String.format("%.4f [%.4f, %.4f]", Arrays.stream(values).average().orElseThrow(),
                Arrays.stream(values).min().orElseThrow(), Arrays.stream(values).max().orElseThrow());
    }
}
