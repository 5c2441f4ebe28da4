package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import io.floe.core.tensor.ModelWeights;
import io.floe.trainer.data.Dataset;

/**
 * The model a site trains locally in a federated round, whatever its {@link Architecture}:
 * {@link DenseNetwork} for {@code logreg}/{@code mlp}, {@link ConvNetwork} for {@code cnn};
 * {@link LocalModels#create(Architecture, ModelWeights)} picks the class.
 *
 * <p>Call order for one round at a site:
 * <ol>
 *   <li>{@link #setWeights} with the global model the coordinator broadcast;</li>
 *   <li>{@link #train} on the local data;</li>
 *   <li>{@code weights().minus(global)}: the delta sent back with the example count and
 *       {@link TrainingResult#steps()}.</li>
 * </ol>
 * Not thread-safe: one model per training thread.
 *
 * <p>{@code
 * LocalModel model = LocalModels.create(Architecture.parse("cnn(28,28,1,10)"), global);
 * TrainingResult r = model.train(localTrain, cfg);
 * ModelWeights delta = model.weights().minus(global);
 * }
 */
public interface LocalModel {

    Architecture architecture();

    /** A copy of the current parameters in wire layout. */
    ModelWeights weights();

    /** Replaces all parameters (values are copied); throws if they do not fit the architecture. */
    void setWeights(ModelWeights weights);

    /**
     * Mini-batch SGD over {@code data} as {@code cfg} says; labels must lie in {@code [0, K)} for
     * {@code K >= 2} outputs, in {0, 1} for one output. The same weights, data and config give the
     * same result.
     */
    default TrainingResult train(Dataset data, TrainingConfig cfg) {
        return train(data, cfg, EpochListener.NONE);
    }

    /** As {@link #train(Dataset, TrainingConfig)}, telling {@code afterEpoch} after each epoch (progress output). */
    TrainingResult train(Dataset data, TrainingConfig cfg, EpochListener afterEpoch);

    /**
     * Class probabilities for every row of {@code data}, row-major, {@code n * K} values: the
     * softmax over the {@code K} classes, or for one output the probability of class 1.
     */
    float[] predictProba(Dataset data);

    /**
     * Share of rows whose predicted class (argmax, or probability {@code >= 0.5} for one output)
     * is the label; NaN for an empty dataset.
     */
    default double accuracy(Dataset data) {
        int n = data.size();
        if (n == 0) {
            return Double.NaN;
        }
        float[] p = predictProba(data);
        int k = p.length / n;
        int correct = 0;
        for (int r = 0; r < n; r++) {
            int predicted;
            if (k == 1) {
                predicted = p[r] >= 0.5f ? 1 : 0;
            } else {
                predicted = 0;
                for (int c = 1; c < k; c++) {
                    if (p[r * k + c] > p[r * k + predicted]) {
                        predicted = c;
                    }
                }
            }
            if (predicted == data.label(r)) {
                correct++;
            }
        }
        return (double) correct / n;
    }
}
