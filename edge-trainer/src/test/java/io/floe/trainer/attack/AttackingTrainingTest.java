package io.floe.trainer.attack;

import static io.floe.trainer.attack.LocalFederation.blobs;
import static io.floe.trainer.attack.LocalFederation.cosine;
import static io.floe.trainer.attack.LocalFederation.delta;
import static io.floe.trainer.attack.LocalFederation.globalModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.DenseNetwork;
import org.junit.jupiter.api.Test;

class AttackingTrainingTest {
    private static final String CLIENT = "hospital-00";
    private static final long SEED = 7L;
    private static final Architecture ARCH = Architecture.parse("mlp(4,8,1)");
    private static final Dataset SITE = blobs(120, 4, 2.0, 11L);
    private static final GlobalModel BASE = globalModel(ARCH, ARCH.initialWeights(3L), 5L);
    private static final Collusion ALONE = new Collusion(10, 1);

    private static ModelUpdate honestUpdate(Dataset data, GlobalModel base) {
        return new NetworkTraining(CLIENT, data, NetworkTraining.DEFAULT_VALIDATION_FRACTION, SEED).train(base);
    }

    private static ModelUpdate attack(String spec, Dataset data, GlobalModel base) {
        return new AttackingTraining(CLIENT, data, SEED, Attack.parse(spec), ALONE).train(base);
    }

    @Test
    void signFlipSendsExactlyTheNegatedHonestDeltaAndKeepsEverythingElse() {
        ModelUpdate honest = honestUpdate(SITE, BASE);

        ModelUpdate sent = attack("sign-flip", SITE, BASE);

        float[] h = ModelPoisoning.flatten(delta(honest));
        float[] s = ModelPoisoning.flatten(delta(sent));
        assertThat(ModelPoisoning.l2Norm(delta(honest))).isPositive();
        for (int j = 0; j < h.length; j++) {
            assertThat(s[j]).isEqualTo(-h[j]);
        }
        assertThat(delta(sent).describe()).isEqualTo(delta(honest).describe());
        assertThat(sent.getUpdateId()).isEqualTo(honest.getUpdateId());
        assertThat(sent.getNumExamples()).isEqualTo(honest.getNumExamples());
        assertThat(sent.getLocalSteps()).isEqualTo(honest.getLocalSteps());
        assertThat(sent.getMetrics()).isEqualTo(honest.getMetrics());
        assertThat(sent.getBaseVersion()).isEqualTo(5L);
    }

    @Test
    void signFlipWithAFactorAndScaleMultiplyTheHonestDeltaExactly() {
        float[] h = ModelPoisoning.flatten(delta(honestUpdate(SITE, BASE)));

        float[] flipped = ModelPoisoning.flatten(delta(attack("sign-flip:factor=2.5", SITE, BASE)));
        float[] boosted = ModelPoisoning.flatten(delta(attack("scale", SITE, BASE)));

        for (int j = 0; j < h.length; j++) {
            assertThat(flipped[j]).isEqualTo((float) (-2.5 * h[j]));
            assertThat(boosted[j]).isEqualTo(10f * h[j]);
        }
    }

    @Test
    void gaussianHasTheHonestNormAndIsNearlyOrthogonalToIt() {
        // 8 -> 256 -> 1: d = 2817, so the cosine of a random direction is about N(0, 1/d), sd 0.019
        Architecture wide = Architecture.parse("mlp(8,256,1)");
        Dataset data = blobs(40, 8, 2.0, 12L);
        GlobalModel base = globalModel(wide, wide.initialWeights(4L), 2L);
        ModelWeights honest = delta(honestUpdate(data, base));

        ModelWeights sent = delta(attack("gaussian", data, base));

        assertThat(ModelPoisoning.l2Norm(sent)).isCloseTo(ModelPoisoning.l2Norm(honest),
                within(1e-4 * ModelPoisoning.l2Norm(honest)));
        assertThat(Math.abs(cosine(ModelPoisoning.flatten(sent), ModelPoisoning.flatten(honest)))).isLessThan(0.1);
        assertThat(sent.describe()).isEqualTo(honest.describe());
        // seeded by (model, client, version, seed): replayable, but fresh every round
        assertThat(delta(attack("gaussian", data, base))).isEqualTo(sent);
        GlobalModel next = globalModel(wide, wide.initialWeights(4L), 3L);
        assertThat(cosine(ModelPoisoning.flatten(delta(attack("gaussian", data, next))), ModelPoisoning.flatten(sent)))
                .isLessThan(0.1);
    }

    @Test
    void labelFlipTrainsTheModelTowardsTheWrongClass() {
        ModelWeights start = ARCH.initialWeights(3L);
        AttackingTraining flipper = new AttackingTraining(CLIENT, SITE, SEED, Attack.parse("label-flip"), ALONE);
        NetworkTraining honest = new NetworkTraining(CLIENT, SITE, NetworkTraining.DEFAULT_VALIDATION_FRACTION, SEED);

        ModelUpdate first = flipper.train(BASE);
        ModelWeights poisoned = LocalFederation.trainAlone(flipper, ARCH, start, 3);
        ModelWeights clean = LocalFederation.trainAlone(honest, ARCH, start, 3);

        assertThat(delta(first)).isNotEqualTo(delta(honestUpdate(SITE, BASE)));
        assertThat(first.getNumExamples()).isEqualTo(honest.trainingExamples());
        Dataset scaled = StandardScaler.fit(SITE).transform(SITE);
        double poisonedAuc = BinaryMetrics.auc(scaled.labels(), new DenseNetwork(ARCH, poisoned).predictProba(scaled));
        double cleanAuc = BinaryMetrics.auc(scaled.labels(), new DenseNetwork(ARCH, clean).predictProba(scaled));
        assertThat(cleanAuc).isGreaterThan(0.9);
        assertThat(poisonedAuc).isLessThan(0.1); // ranks the classes the other way round
    }

    @Test
    void freeRiderSendsZerosButClaimsItsExamples() {
        ModelUpdate honest = honestUpdate(SITE, BASE);

        ModelUpdate sent = attack("free-rider", SITE, BASE);

        assertThat(ModelPoisoning.flatten(delta(sent))).containsOnly(0f);
        assertThat(delta(sent).describe()).isEqualTo(delta(honest).describe());
        assertThat(sent.getNumExamples()).isEqualTo(honest.getNumExamples()).isPositive();
        assertThat(sent.getMetrics()).isEqualTo(honest.getMetrics());
    }

    @Test
    void noisyFreeRiderSendsSmallNoiseOfTheGivenDeviation() {
        float[] sent = ModelPoisoning.flatten(delta(attack("free-rider:noise=0.001", SITE, BASE)));

        double squares = 0;
        for (float v : sent) {
            squares += (double) v * v;
        }
        assertThat(Math.sqrt(squares / sent.length)).isCloseTo(0.001, within(0.0003)); // 49 values
        assertThat(sent).doesNotContain(0f);
    }

    @Test
    void backdoorBoostsItsDeltaByTheModelReplacementFactorUnlessGivenOne() {
        Dataset site = blobs(120, 30, 1.0, 13L);
        Architecture logreg = Architecture.parse("logreg(30)");
        GlobalModel base = globalModel(logreg, logreg.zeroWeights(), 0L);
        Attack backdoor = Attack.parse("backdoor");
        ModelWeights unboosted = delta(new AttackingTraining(CLIENT, site, SEED, Attack.parse("backdoor:boost=1"),
                ALONE).train(base));

        ModelWeights replaced = delta(new AttackingTraining(CLIENT, site, SEED, backdoor, new Collusion(10, 2)).train(base));

        assertThat(replaced).isEqualTo(ModelPoisoning.scaled(unboosted, 5.0)); // n / f = 10 / 2
    }

    @Test
    void alieNeedsAMinorityOfAttackersOrAnExplicitZ() {
        assertThatThrownBy(() -> new AttackingTraining(CLIENT, SITE, SEED, Attack.parse("alie"), new Collusion(10, 6)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("majority");
        new AttackingTraining(CLIENT, SITE, SEED, Attack.parse("alie:z=1.5"), new Collusion(10, 6));
    }
}
