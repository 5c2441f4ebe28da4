package io.floe.deploy.local;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.GlobalModel;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.trainer.model.Architecture;
import io.floe.trainer.model.DenseNetwork;

/**
 * Scores models on the held-out test set. The test set stands for a new site that deploys the
 * model: like every site it standardises its data with statistics of its own data, so the
 * evaluator gets it already scaled.
 */
public final class GlobalModelEvaluator {
    private final Dataset scaledTest;

    public GlobalModelEvaluator(Dataset scaledTest) {
        this.scaledTest = scaledTest;
    }

    public BinaryMetrics evaluate(GlobalModel model) {
        Architecture arch = Architecture.parse(model.getArchitecture());
        ModelWeights w = TensorRecords.fromRecords(model.getTensors());
        return evaluate(new DenseNetwork(arch, w));
    }

    public BinaryMetrics evaluate(DenseNetwork network) {
        return BinaryMetrics.of(scaledTest.labels(), network.predictProba(scaledTest));
    }
}
