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
import io.floe.trainer.model.DpSgd;
import io.floe.trainer.model.TrainingConfig;
import io.floe.trainer.model.TrainingResult;
import io.floe.trainer.privacy.DpSgdConfig;
import io.floe.trainer.privacy.DpSgdLedger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>With DP-SGD ({@link Builder#dpSgd}) each round is charged to the site's {@link DpSgdLedger}
 * before it trains; the update carries the epsilon so far and the mechanism's parameters, and a
 * round past the target epsilon throws {@link io.floe.trainer.privacy.PrivacyBudgetExhaustedException}
 * instead of training.
 */
public final class NetworkTraining implements LocalTraining {
    /** Default share of local data kept for local validation. */
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;
    /** Update metric: epsilon the site's training records have spent so far under DP-SGD. */
    public static final String METRIC_DP_EPSILON = "dp_epsilon";
    /** Update metric: the delta that {@link #METRIC_DP_EPSILON} holds at. */
    public static final String METRIC_DP_DELTA = "dp_delta";
    private static final Logger LOG = LoggerFactory.getLogger(NetworkTraining.class);

    private final String clientId;
    private final long seed;
    private final Dataset train;
    private final int trainingExamples;
    private final Dataset validation;
    /** Null when training without DP. */
    private final DpSgdLedger privacy;
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
        this(clientId, localData, validationFraction, seed, trainingData, null);
    }

    private NetworkTraining(String clientId, Dataset localData, double validationFraction, long seed,
            UnaryOperator<Dataset> trainingData, DpSgdConfig dpSgd) {
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
        this.privacy = dpSgd == null ? null : new DpSgdLedger(dpSgd);
    }

    /**
     * A builder for the options the constructors do not take, DP-SGD among them; the site's id and
     * its (unscaled) local records are required.
     */
    public static Builder builder(String clientId, Dataset localData) {
        return new Builder(clientId, localData);
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
        Map<String, Double> metrics = new LinkedHashMap<>();
        TrainingResult result;
        if (privacy == null) {
            result = network.train(train, cfg);
            metrics.put("train_loss", result.lastEpochLoss());
        } else {
            // charged before training: a round that would pass the budget throws here and trains nothing
            DpSgd dp = privacy.charge(train.size(), cfg);
            result = network.train(train, cfg.withSeed(privacy.roundSeed(base.getVersion())), dp);
            // no train_loss: it is computed from the protected records without noise
            metrics.put(METRIC_DP_EPSILON, privacy.epsilon());
            metrics.put(METRIC_DP_DELTA, privacy.config().delta());
            metrics.put("dp_noise_multiplier", dp.noiseMultiplier());
            metrics.put("dp_clip_norm", dp.clipNorm());
            metrics.put("dp_sample_rate", dp.sampleRate(train.size()));
            LOG.info("{}: DP-SGD round {} from version {}, epsilon so far {} at delta {}", clientId,
                    privacy.rounds(), base.getVersion(), privacy.epsilon(), privacy.config().delta());
        }
        ModelWeights delta = network.weights().minus(baseWeights);

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

    /** The site's DP-SGD ledger across rounds; empty when training without DP. */
    public Optional<DpSgdLedger> privacyLedger() {
        return Optional.ofNullable(privacy);
    }

    /**
     * Options of a {@link NetworkTraining}; each setter checks its argument and returns this.
     *
     * <p>{@code
     * NetworkTraining t = NetworkTraining.builder("hospital-1", records)
     *         .seed(7)
     *         .dpSgd(DpSgdConfig.builder().clipNorm(1.0).targetEpsilon(4).plannedRounds(20).build())
     *         .build();
     * }
     */
    public static final class Builder {
        private final String clientId;
        private final Dataset localData;
        private double validationFraction = DEFAULT_VALIDATION_FRACTION;
        private long seed = TrainingConfig.DEFAULT_SEED;
        private UnaryOperator<Dataset> trainingData = UnaryOperator.identity();
        private DpSgdConfig dpSgd;

        private Builder(String clientId, Dataset localData) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            this.localData = Objects.requireNonNull(localData, "localData");
        }

        /** Share of each class held out for the reported validation metrics, in [0, 1); default 0.2. */
        public Builder validationFraction(double validationFraction) {
            if (!(validationFraction >= 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
            }
            this.validationFraction = validationFraction;
            return this;
        }

        /** Seeds the split and, without DP, the shuffling; default {@value TrainingConfig#DEFAULT_SEED}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Applied once to the scaled local training part; see the five-argument constructor. */
        public Builder trainingData(UnaryOperator<Dataset> trainingData) {
            this.trainingData = Objects.requireNonNull(trainingData, "trainingData");
            return this;
        }

        /**
         * Trains with DP-SGD under {@code config}: every update then carries the site's epsilon so
         * far ({@value #METRIC_DP_EPSILON}) at its delta ({@value #METRIC_DP_DELTA}), and no
         * training loss. The validation metrics stay: they are computed on the held-out records,
         * which DP-SGD never trains on and does not protect.
         */
        public Builder dpSgd(DpSgdConfig config) {
            this.dpSgd = Objects.requireNonNull(config, "config");
            return this;
        }

        public NetworkTraining build() {
            return new NetworkTraining(clientId, localData, validationFraction, seed, trainingData, dpSgd);
        }
    }
}
