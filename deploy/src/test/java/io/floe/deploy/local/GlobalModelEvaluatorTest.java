package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.LocalModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalModelEvaluatorTest {

    /** mlp(2,3): logits (x0, x1, 0.5), so class 0 wins for x0 large, 1 for x1 large, 2 near the origin. */
    private static final ModelWeights THREE_CLASS = new ModelWeights(List.of(
            new Tensor("dense0.W", new int[] {2, 3}, new float[] {1, 0, 0, 0, 1, 0}),
            new Tensor("dense0.b", new int[] {3}, new float[] {0, 0, 0.5f})));

    @Test
    void multiclassModelsAreScoredByArgmaxAccuracyAndCrossEntropyWithoutAuc() {
        // Prepare: four rows, predicted 0, 1, 2, 2; the last is labelled 0
        Dataset test = new Dataset(new float[][] {{3, 0}, {0, 3}, {0, 0}, {0, 0}}, new int[] {0, 1, 2, 0});
        GlobalModelEvaluator evaluator = new GlobalModelEvaluator(test);

        // Execute
        TestScores s = evaluator.evaluate(LocalModels.create(Architecture.parse("mlp(2,3)"), THREE_CLASS));

        // Assert
        assertThat(s.accuracy()).isEqualTo(0.75);
        assertThat(s.auc()).isNaN();
        assertThat(s.headline()).isEqualTo(0.75);
        assertThat(s.examples()).isEqualTo(4);
        // p(label): softmax(3,0,0.5)[0], softmax(0,3,0.5)[1], softmax(0,0,0.5)[2], softmax(0,0,0.5)[0]
        double a = Math.exp(3) / (Math.exp(3) + 1 + Math.exp(0.5));
        double c = Math.exp(0.5) / (2 + Math.exp(0.5));
        double d = 1 / (2 + Math.exp(0.5));
        assertThat(s.logLoss()).isCloseTo(-(2 * Math.log(a) + Math.log(c) + Math.log(d)) / 4, offset(1e-5));
    }

    @Test
    void binaryModelsKeepAucAndAccuracyAtOneHalf() {
        Dataset test = new Dataset(new float[][] {{-2}, {-1}, {1}, {2}}, new int[] {0, 1, 1, 1});
        ModelWeights w = new ModelWeights(List.of(new Tensor("dense0.W", new int[] {1, 1}, new float[] {1}),
                new Tensor("dense0.b", new int[] {1}, new float[] {0})));

        TestScores s = new GlobalModelEvaluator(test).evaluate(LocalModels.create(Architecture.parse("logreg(1)"), w));

        assertThat(s.auc()).isEqualTo(1.0);
        assertThat(s.accuracy()).isEqualTo(0.75);
        assertThat(s.headline()).isEqualTo(1.0);
    }

    @Test
    void aModelForOtherFeaturesIsRefused() {
        Dataset test = new Dataset(new float[][] {{1, 2, 3}}, new int[] {1});
        assertThatThrownBy(() -> new GlobalModelEvaluator(test).evaluate(LocalModels.create(Architecture.parse("mlp(2,3)"), THREE_CLASS)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 2 features");
    }
}
