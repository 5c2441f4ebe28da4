package io.floe.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.trainer.data.CsvDatasetLoader;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.LabelSkewPartitioner;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.data.StratifiedSplit;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.DenseNetwork;
import io.floe.trainer.model.TrainingConfig;
import io.floe.trainer.model.TrainingResult;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole local pipeline on the real data, trained centrally: the upper bound a federated
 * run on the same split is compared with. Load WDBC, hold out a stratified 20% with the
 * partitioner's default seed, scale with statistics of the training rows only, train, score.
 */
class CentralWdbcTrainingTest {
    private static Dataset train;
    private static Dataset test;

    @BeforeAll
    static void loadAndSplit() throws IOException {
        Dataset wdbc = CsvDatasetLoader.defaults().load(Path.of("../data/wdbc/breast_cancer.csv"));
        StratifiedSplit split = StratifiedSplit.of(
                wdbc, LabelSkewPartitioner.DEFAULT_TEST_FRACTION, LabelSkewPartitioner.DEFAULT_SEED);
        // the same test rows the federated runs are scored on
        assertThat(split.holdoutRows()).containsExactly(LabelSkewPartitioner.defaults().partition(wdbc).testRows());
        StandardScaler scaler = StandardScaler.fit(split.train());
        train = scaler.transform(split.train());
        test = scaler.transform(split.holdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"logreg(30)", "mlp(30,16,1)"})
    void reachesHighTestAuc(String descriptor) {
        Architecture arch = Architecture.parse(descriptor);
        DenseNetwork net = new DenseNetwork(arch, arch.initialWeights(TrainingConfig.DEFAULT_SEED));
        TrainingConfig cfg = TrainingConfig.defaults().withLocalEpochs(30);

        TrainingResult r = net.train(train, cfg);
        BinaryMetrics m = BinaryMetrics.of(test.labels(), net.predictProba(test));

        System.out.printf("WDBC central %s: %d train / %d test rows, %s, %d steps, train loss %.4f;"
                        + " test AUC %.4f, accuracy %.4f, log loss %.4f%n",
                arch, train.size(), test.size(), cfg, r.steps(), r.lastEpochLoss(), m.auc(), m.accuracy(), m.logLoss());
        assertThat(m.examples()).isEqualTo(113); // round(0.2 * 212) + round(0.2 * 357)
        assertThat(m.auc()).isGreaterThanOrEqualTo(0.98);
        assertThat(m.accuracy()).isGreaterThanOrEqualTo(0.93);
    }
}
