package io.floe.trainer;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.floe.trainer.privacy.DpSgdConfig;
import io.floe.trainer.privacy.DpSgdLedger;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * DP-SGD on the real data, trained centrally on the split of {@link CentralWdbcTrainingTest}:
 * at epsilon 1 (delta 1e-5) over 30 epochs, logreg(30) still separates the test rows well. The
 * full privacy-utility table is {@link WdbcDpSgdUtility}.
 */
class CentralWdbcDpSgdTest {

    @Test
    void logisticRegressionAtEpsilonOneStillRanksTheTestRowsWell() throws IOException {
        Dataset wdbc = CsvDatasetLoader.defaults().load(Path.of("../data/wdbc/breast_cancer.csv"));
        StratifiedSplit split = StratifiedSplit.of(
                wdbc, LabelSkewPartitioner.DEFAULT_TEST_FRACTION, LabelSkewPartitioner.DEFAULT_SEED);
        StandardScaler scaler = StandardScaler.fit(split.train());
        Dataset train = scaler.transform(split.train());
        Dataset test = scaler.transform(split.holdout());
        Architecture arch = Architecture.logisticRegression(30);
        DpSgdLedger ledger = new DpSgdLedger(DpSgdConfig.builder()
                .clipNorm(1.0).targetEpsilon(1.0).delta(1e-5).plannedRounds(1).secretSeed(1000L).build());
        TrainingConfig cfg = TrainingConfig.defaults().withLocalEpochs(30);

        DpSgd dp = ledger.charge(train.size(), cfg);
        DenseNetwork net = new DenseNetwork(arch, arch.initialWeights(TrainingConfig.DEFAULT_SEED));
        net.train(train, cfg.withSeed(ledger.roundSeed(0)), dp);
        BinaryMetrics m = BinaryMetrics.of(test.labels(), net.predictProba(test));

        System.out.printf("WDBC central logreg(30) DP-SGD: epsilon %.4f at delta 1e-5 (sigma %.4f, q %.4f, %d steps);"
                        + " test AUC %.4f, accuracy %.4f%n", ledger.epsilon(), dp.noiseMultiplier(),
                dp.sampleRate(train.size()), ledger.steps(), m.auc(), m.accuracy());
        // 456 rows, B = 32: q = 32 / 456, 30 x 15 steps
        assertThat(ledger.steps()).isEqualTo(450);
        assertThat(dp.noiseMultiplier()).isEqualTo(RdpAccountant.noiseMultiplier(1.0, 1e-5, 32.0 / 456, 450));
        assertThat(ledger.epsilon()).isLessThanOrEqualTo(1.0).isGreaterThan(0.95);
        assertThat(m.auc()).isGreaterThanOrEqualTo(0.96);
        assertThat(m.accuracy()).isGreaterThanOrEqualTo(0.9);
    }
}
