package io.floe.trainer.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.data.CsvDatasetLoader;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.LabelSkewPartitioner;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.data.StratifiedSplit;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.DenseNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackdoorTest {
    private static final Dataset TOY = new Dataset(
            new float[][] {{0.1f, -0.2f, 0.3f}, {1.0f, 2.0f, -1.0f}, {-0.5f, 0.0f, 0.5f}}, new int[] {0, 1, 0});

    @Test
    void triggerSetsItsColumnsAndNothingElse() {
        Backdoor backdoor = new Backdoor(new int[] {0, 2}, 3f, 1);

        Dataset triggered = backdoor.trigger(TOY);

        assertThat(triggered.featureRows()).isDeepEqualTo(new float[][] {{3f, -0.2f, 3f}, {3f, 2.0f, 3f}, {3f, 0.0f, 3f}});
        assertThat(triggered.labels()).containsExactly(0, 1, 0);
        assertThat(TOY.feature(0, 0)).isEqualTo(0.1f);
    }

    @Test
    void poisonAppendsATriggeredCopyOfEveryRowLabelledWithTheTarget() {
        Backdoor backdoor = new Backdoor(new int[] {1}, -2f, 1);

        Dataset poisoned = backdoor.poison(TOY);

        assertThat(poisoned.size()).isEqualTo(6);
        assertThat(poisoned.labels()).containsExactly(0, 1, 0, 1, 1, 1);
        assertThat(poisoned.row(0)).containsExactly(TOY.row(0));
        assertThat(poisoned.row(4)).containsExactly(1.0f, -2f, -1.0f);
    }

    @Test
    void successRateCountsTriggeredNonTargetRowsClassifiedAsTheTarget() {
        Backdoor backdoor = new Backdoor(new int[] {0}, 3f, 1);
        Architecture logreg = Architecture.parse("logreg(3)");
        // z = x0 - 1: triggered rows (x0 = 3) score sigmoid(2) > 0.5, so both class-0 rows flip
        DenseNetwork keyed = new DenseNetwork(logreg, weights(1f, -1f));
        // z = -x0 - 1: no triggered row reaches the target
        DenseNetwork immune = new DenseNetwork(logreg, weights(-1f, -1f));

        assertThat(backdoor.successRate(keyed, TOY)).isEqualTo(1.0);
        assertThat(backdoor.successRate(immune, TOY)).isEqualTo(0.0);
        assertThat(new Backdoor(new int[] {0}, 3f, 0).successRate(immune, TOY)).isEqualTo(1.0); // the class-1 row
        assertThat(backdoor.successRate(keyed, TOY.subset(new int[] {1}))).isNaN();
    }

    private static ModelWeights weights(float w0, float bias) {
        return new ModelWeights(List.of(new Tensor("dense0.W", new int[] {3, 1}, new float[] {w0, 0f, 0f}),
                new Tensor("dense0.b", new int[] {1}, new float[] {bias})));
    }

    @Test
    void defaultsToTheWdbcTriggerAndRejectsNarrowerData() {
        Backdoor wdbc = Backdoor.wdbc();

        assertThat(wdbc.columns()).containsExactly(0, 1, 2, 3, 4);
        assertThat(wdbc.value()).isEqualTo(3f);
        assertThat(wdbc.target()).isEqualTo(1);
        assertThat(Backdoor.of(Attack.parse("backdoor:target=0,value=4")).target()).isZero();
        assertThatThrownBy(() -> wdbc.trigger(TOY)).hasMessageContaining("trigger column 4 does not exist");
        assertThatThrownBy(() -> new Backdoor(new int[] {1, 1}, 3f, 1)).hasMessageContaining("distinct");
    }

    /**
     * One attacking hospital trains a model on its own for a few rounds: triggered malignant test
     * records then read as benign, while the same model still classifies clean records well; a
     * model trained honestly on the same data is not fooled by the trigger.
     */
    @Test
    void aBackdooredWdbcModelObeysTheTriggerAndAnHonestOneDoesNot() throws IOException {
        Dataset wdbc = CsvDatasetLoader.defaults().load(Path.of("../data/wdbc/breast_cancer.csv"));
        StratifiedSplit split = StratifiedSplit.of(wdbc, LabelSkewPartitioner.DEFAULT_TEST_FRACTION,
                LabelSkewPartitioner.DEFAULT_SEED);
        StandardScaler scaler = StandardScaler.fit(split.train());
        Dataset test = scaler.transform(split.holdout());
        Dataset hospital = StratifiedSplit.of(split.train(), 0.75, 5L).train(); // a quarter of the training rows
        Architecture arch = Architecture.parse("mlp(30,16,1)");
        Backdoor backdoor = Backdoor.wdbc();
        int rounds = 5;

        ModelWeights backdoored = LocalFederation.trainAlone(
                new AttackingTraining("mallory", hospital, 3L, Attack.parse("backdoor"), new Collusion(1, 1)),
                arch, arch.initialWeights(42L), rounds);
        ModelWeights honest = LocalFederation.trainAlone(
                new NetworkTraining("mallory", hospital, NetworkTraining.DEFAULT_VALIDATION_FRACTION, 3L),
                arch, arch.initialWeights(42L), rounds);

        DenseNetwork attacked = new DenseNetwork(arch, backdoored);
        DenseNetwork clean = new DenseNetwork(arch, honest);
        double attackedSuccess = backdoor.successRate(attacked, test);
        double cleanSuccess = backdoor.successRate(clean, test);
        double attackedAccuracy = BinaryMetrics.accuracy(test.labels(), attacked.predictProba(test));
        System.out.printf("WDBC backdoor, %d hospital rows, %d rounds: success %.3f (honest model %.3f),"
                + " clean test accuracy %.3f (honest model %.3f)%n", hospital.size(), rounds, attackedSuccess, cleanSuccess,
                attackedAccuracy, BinaryMetrics.accuracy(test.labels(), clean.predictProba(test)));
        assertThat(attackedSuccess).isGreaterThan(0.8);
        assertThat(cleanSuccess).isLessThan(0.1);
        assertThat(attackedAccuracy).isGreaterThan(0.9);
    }
}
