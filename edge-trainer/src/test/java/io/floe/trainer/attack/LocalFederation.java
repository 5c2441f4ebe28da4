package io.floe.trainer.attack;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.trainer.daemon.LocalTraining;
import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/** Test support: global models without Kafka or Flink, and small synthetic sites. */
final class LocalFederation {
    static final String MODEL_ID = "attack-test";

    private LocalFederation() {
    }

    /** Version {@code version} of {@code arch} holding {@code weights}, trained with the demo's defaults. */
    static GlobalModel globalModel(Architecture arch, ModelWeights weights, long version) {
        return GlobalModel.newBuilder()
                .setModelId(MODEL_ID)
                .setVersion(version)
                .setCreatedAt(Instant.EPOCH)
                .setArchitecture(arch.toString())
                .setTensors(TensorRecords.toRecords(weights))
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(2).setBatchSize(16).build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1)
                        .setUpdateIds(List.of()).setSeed(0L).build())
                .build();
    }

    static ModelWeights delta(ModelUpdate update) {
        return TensorRecords.fromRecords(update.getTensors());
    }

    /**
     * {@code rounds} rounds in which {@code training} is the only client: each round's delta is
     * added to the global model unweighted, as FedAvg over one update does.
     */
    static ModelWeights trainAlone(LocalTraining training, Architecture arch, ModelWeights start, int rounds) {
        ModelWeights global = start;
        for (int v = 0; v < rounds; v++) {
            global = global.plusScaled(delta(training.train(globalModel(arch, global, v))), 1f);
        }
        return global;
    }

    /**
     * Two Gaussian blobs in {@code d} dimensions: class 1 centred at {@code +separation/2} on every
     * axis, class 0 at {@code -separation/2}, unit variance; {@code n} rows, classes alternating.
     */
    static Dataset blobs(int n, int d, double separation, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            double centre = (y[i] == 1 ? 0.5 : -0.5) * separation;
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (centre + random.nextGaussian());
            }
        }
        return new Dataset(x, y);
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < a.length; j++) {
            dot += (double) a[j] * b[j];
            na += (double) a[j] * a[j];
            nb += (double) b[j] * b[j];
        }
        return dot / Math.sqrt(na * nb);
    }
}
