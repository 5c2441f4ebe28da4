package io.floe.trainer.daemon;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.trainer.model.Architecture;
import io.floe.trainer.model.DenseNetwork;
import io.floe.trainer.model.TrainingConfig;
import io.floe.trainer.model.TrainingResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Local training of a site on nd4j: the architecture comes from the global model's descriptor,
 * the training config (learning rate, local epochs, batch size) from the global model too.
 *
 * <p>The site's data is split once into a local training and validation part (stratified,
 * seeded), and standardised with statistics fitted on the local training part only: nothing about
 * the data leaves the site but the delta {@code w_local - w_base}, the example count and the
 * validation metrics (loss, accuracy, ROC AUC of the locally trained model).
 *
 * <p>The updateId is derived from (model, client, base version, seed), so a trainer that restarts
 * and retrains the same version sends the same id.
 */
public final class NetworkTraining implements LocalTraining {
    /** Default share of local data kept for local validation. */
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;

    private final String clientId;
    private final long seed;
    private final Dataset train;
    private final int trainingExamples;
    private final Dataset validation;
    private DenseNetwork network;

    public NetworkTraining(String clientId, Dataset localData, double validationFraction, long seed) {
        this(clientId, localData, validationFraction, seed, UnaryOperator.identity());
    }

    /**
     * Local training on {@code trainingData.apply(scaled local training part)} instead of that part
     * itself: the hook a data-poisoning attacker ({@code io.floe.trainer.attack}) uses to flip labels
     * or add triggered records. The function runs once, here; the validation part and the reported
     * {@code numExamples} stay those of the unmodified local data, as a poisoner would report them.
     */
    public NetworkTraining(String clientId, Dataset localData, double validationFraction, long seed,
            UnaryOperator<Dataset> trainingData) {
        this.clientId = clientId;
        this.seed = seed;
        Dataset[] parts = validationFraction > 0
                ? localData.splitTrainValidation(validationFraction, seed)
                : new Dataset[] {localData, null};
        StandardScaler scaler = StandardScaler.fit(parts[0]);
        Dataset scaledTrain = scaler.transform(parts[0]);
        this.trainingExamples = scaledTrain.size();
        this.train = Objects.requireNonNull(trainingData.apply(scaledTrain), "trainingData returned null");
        this.validation = parts[1] == null ? null : scaler.transform(parts[1]);
    }

    @Override
    public ModelUpdate train(GlobalModel base) {
        Architecture arch = Architecture.parse(base.getArchitecture());
        ModelWeights baseWeights = TensorRecords.fromRecords(base.getTensors());
        if (network == null || !network.architecture().equals(arch)) {
            network = new DenseNetwork(arch, baseWeights);
        } else {
            network.setWeights(baseWeights);
        }
        TrainingConfig cfg = new TrainingConfig(base.getTraining().getLearningRate(), base.getTraining().getLocalEpochs(),
                base.getTraining().getBatchSize(), seed * 1_000_003L + base.getVersion());
        TrainingResult result = network.train(train, cfg);
        ModelWeights delta = network.weights().minus(baseWeights);

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", result.lastEpochLoss());
        if (validation != null && validation.size() > 0) {
            BinaryMetrics m = BinaryMetrics.of(validation.labels(), network.predictProba(validation));
            metrics.put("loss", m.logLoss());
            metrics.put("accuracy", m.accuracy());
            if (Double.isFinite(m.auc())) {
                metrics.put("auc", m.auc());
            }
        }
        String idSource = base.getModelId() + "|" + clientId + "|" + base.getVersion() + "|" + seed;
        return ModelUpdate.newBuilder()
                .setUpdateId(UUID.nameUUIDFromBytes(idSource.getBytes(StandardCharsets.UTF_8)).toString())
                .setModelId(base.getModelId())
                .setClientId(clientId)
                .setBaseVersion(base.getVersion())
                .setNumExamples(trainingExamples)
                .setLocalSteps(result.steps())
                .setCreatedAt(Instant.now())
                .setTensors(TensorRecords.toRecords(delta))
                .setMetrics(metrics)
                .setSignature(null)
                .build();
    }

    /** Rows of the site's own local training part (after the validation split): the numExamples it reports. */
    public int trainingExamples() {
        return trainingExamples;
    }
}
