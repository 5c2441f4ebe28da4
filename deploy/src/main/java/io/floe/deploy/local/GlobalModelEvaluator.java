package io.floe.deploy.local;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.GlobalModel;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.trainer.eval.MulticlassMetrics;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.LocalModels;
import io.floe.trainer.model.LocalModel;

/**
 * Scores models of any architecture on a scenario's held-out evaluation set. The set stands for a
 * new site that deploys the model: like every site it standardises its data with statistics of its
 * own data, so the evaluator gets it already pre-processed
 * ({@link FederatedScenario#evaluationSet()}).
 *
 * <p>A binary model (one sigmoid output) gets ROC AUC, accuracy at 0.5 and log loss
 * ({@link BinaryMetrics}); a softmax over K >= 2 classes gets top-1 accuracy and mean
 * cross-entropy ({@link MulticlassMetrics}) and AUC NaN.
 */
public final class GlobalModelEvaluator {
    private final Dataset evaluationSet;

    public GlobalModelEvaluator(Dataset evaluationSet) {
        this.evaluationSet = evaluationSet;
    }

    public TestScores evaluate(GlobalModel model) {
        Architecture arch = Architecture.parse(model.getArchitecture());
        ModelWeights w = TensorRecords.fromRecords(model.getTensors());
        return evaluate(LocalModels.create(arch, w));
    }

    public TestScores evaluate(LocalModel model) {
        Architecture arch = model.architecture();
        if (arch.inputDim() != evaluationSet.featureCount()) {
            throw new IllegalArgumentException(arch + " takes " + arch.inputDim() + " features, the evaluation set has "
                    + evaluationSet.featureCount());
        }
        float[] p = model.predictProba(evaluationSet);
        if (arch.isMulticlass()) {
            return TestScores.of(MulticlassMetrics.of(evaluationSet.labels(), p, arch.outputDim()));
        }
        return TestScores.of(BinaryMetrics.of(evaluationSet.labels(), p));
    }
}
