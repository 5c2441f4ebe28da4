package io.floe.trainer.daemon;

import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.ScaffoldClient;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.trainer.eval.MulticlassMetrics;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.LocalModels;
import io.floe.trainer.model.ControlVariateCorrection;
import io.floe.trainer.model.DenseNetwork;
import io.floe.trainer.model.DpSgd;
import io.floe.trainer.model.GradientCorrection;
import io.floe.trainer.model.LocalModel;
import io.floe.trainer.model.ProximalCorrection;
import io.floe.trainer.model.TrainingConfig;
import io.floe.trainer.model.TrainingResult;
import io.floe.trainer.privacy.DpSgdConfig;
import io.floe.trainer.privacy.DpSgdLedger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local training of a site on nd4j: the architecture ({@code logreg}, {@code mlp} with a sigmoid or
 * softmax output, {@code cnn}) comes from the global model's descriptor and is built with
 * {@link Architecture#newModel}; the training config (learning rate, local epochs, batch size,
 * momentum, algorithm) comes from the global model too.
 *
 * <p>The site's data is split once into a local training and validation part (stratified,
 * seeded), and standardised with statistics fitted on the local training part only: nothing about
 * the data leaves the site but the delta {@code w_local - w_base}, the example count, the local
 * step count and the validation metrics of the locally trained model: loss, accuracy and ROC AUC
 * for a binary model ({@link BinaryMetrics}), loss (mean cross-entropy) and accuracy for a softmax
 * over {@code K >= 2} classes ({@link MulticlassMetrics}).
 *
 * <p>The algorithm against client drift is the global model's {@code training.algorithm}
 * ({@link DriftAlgorithm#parse}), which the job copies from the model's spec:
 * <ul>
 *   <li>{@code fedavg}: plain local SGD (McMahan et al. 2017, "Communication-Efficient Learning of
 *       Deep Networks from Decentralized Data", AISTATS, Algorithm 1);</li>
 *   <li>{@code fedprox:mu=M}: every gradient gets {@code mu (w - w_base)}, the gradient of
 *       {@code mu/2 ||w - w_base||^2} ({@link ProximalCorrection}; Li et al. 2020, "Federated
 *       Optimization in Heterogeneous Networks", MLSys, eq. 2);</li>
 *   <li>{@code scaffold}: every gradient gets {@code c - c_i} ({@link ControlVariateCorrection}), with
 *       the server's {@code c} from the global model's {@code control} (empty: zero) and the site's
 *       own {@code c_i} (zero at first); afterwards {@code c_i+} by option II,
 *       {@code c_i - c + (x - y_i) / (K eta_l)} ({@link ScaffoldClient}; Karimireddy et al. 2020,
 *       "SCAFFOLD: Stochastic Controlled Averaging for Federated Learning", ICML, Algorithm 1 lines
 *       10-13), and the update carries {@code controlDelta = c_i+ - c_i}. The site keeps {@code c_i}
 *       per model, with {@link Builder#stateDirectory} on disk so that it survives a restart
 *       ({@code ClientControlVariates} says when {@code c_i+} is adopted);</li>
 *   <li>{@code fednova[:rho=R]}: local SGD as configured (momentum included); the update's
 *       {@code localSteps} is the {@code tau_i} the server normalises by (Wang et al. 2020, "Tackling
 *       the Objective Inconsistency Problem in Heterogeneous Federated Optimization", NeurIPS).</li>
 * </ul>
 *
 * <p>The updateId is derived from (model, client, base version, seed), so a trainer that restarts
 * and retrains the same version sends the same id.
 *
 * <p>With DP-SGD ({@link Builder#dpSgd}) each round is charged to the site's {@link DpSgdLedger}
 * before it trains; the update carries the epsilon so far and the mechanism's parameters, and a
 * round past the target epsilon throws {@link io.floe.trainer.privacy.PrivacyBudgetExhaustedException}
 * instead of training. DP-SGD needs per-example gradients, which only the dense models compute: a
 * {@code cnn} with DP-SGD is refused.
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
    private final ClientControlVariates controls;
    private final UpdateEncoding encoding;
    private LocalModel model;

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
        this(clientId, localData, validationFraction, seed, trainingData, null, null, true);
    }

    private NetworkTraining(String clientId, Dataset localData, double validationFraction, long seed,
            UnaryOperator<Dataset> trainingData, DpSgdConfig dpSgd, Path stateDirectory, boolean standardize) {
        this.clientId = clientId;
        this.seed = seed;
        Dataset[] parts = validationFraction > 0
                ? localData.splitTrainValidation(validationFraction, seed)
                : new Dataset[] {localData, null};
        UnaryOperator<Dataset> scale = UnaryOperator.identity();
        if (standardize) {
            StandardScaler scaler = StandardScaler.fit(parts[0]);
            scale = scaler::transform;
        }
        Dataset scaledTrain = scale.apply(parts[0]);
        this.trainingExamples = scaledTrain.size();
        this.train = Objects.requireNonNull(trainingData.apply(scaledTrain), "trainingData returned null");
        this.validation = parts[1] == null ? null : scale.apply(parts[1]);
        this.privacy = dpSgd == null ? null : new DpSgdLedger(dpSgd);
        this.controls = new ClientControlVariates(clientId, stateDirectory);
        this.encoding = new UpdateEncoding(seed, new ErrorFeedback(clientId, stateDirectory));
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
        if (!arch.accepts(baseWeights)) {
            throw new IllegalArgumentException("version " + base.getVersion() + " of " + base.getModelId() + " holds "
                    + baseWeights.describe() + ", not the layout of its architecture " + arch);
        }
        if (privacy != null && arch.isConvolutional()) {
            throw new IllegalArgumentException(clientId + ": DP-SGD needs per-example gradients, which " + arch
                    + " does not compute; train model " + base.getModelId() + " without DP-SGD (no --dp-clip-norm)"
                    + " or use a logreg/mlp architecture");
        }
        if (model == null || !model.architecture().equals(arch)) {
            model = LocalModels.create(arch, baseWeights);
        } else {
            model.setWeights(baseWeights);
        }
        ClientTrainingConfig training = base.getTraining();
        DriftAlgorithm algorithm = DriftAlgorithm.parse(training.getAlgorithm(), training.getMomentum());
        TrainingConfig cfg = new TrainingConfig(training.getLearningRate(), training.getLocalEpochs(),
                training.getBatchSize(), seed * 1_000_003L + base.getVersion(), training.getMomentum(),
                GradientCorrection.NONE);
        ModelWeights serverControl = null;
        ModelWeights clientControl = null;
        switch (algorithm.kind()) {
            case FEDPROX -> cfg = cfg.withCorrection(new ProximalCorrection(baseWeights, algorithm.proximalMu()));
            case SCAFFOLD -> {
                ModelWeights zeros = arch.zeroWeights();
                serverControl = base.getControl().isEmpty() ? zeros : TensorRecords.fromRecords(base.getControl());
                if (!serverControl.sameLayout(zeros)) {
                    throw new IllegalArgumentException("version " + base.getVersion() + " of " + base.getModelId()
                            + ": the SCAFFOLD control " + serverControl.describe() + " does not fit " + arch);
                }
                clientControl = controls.controlFor(base, zeros);
                cfg = cfg.withCorrection(new ControlVariateCorrection(serverControl, clientControl));
            }
            default -> {
                // fedavg and fednova train plain (momentum) SGD; FedNova's normalisation is the server's
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        TrainingResult result;
        if (privacy == null) {
            result = model.train(train, cfg);
            metrics.put("train_loss", result.lastEpochLoss());
        } else {
            // charged before training: a round that would pass the budget throws here and trains nothing
            DpSgd dp = privacy.charge(train.size(), cfg);
            result = ((DenseNetwork) model).train(train, cfg.withSeed(privacy.roundSeed(base.getVersion())), dp);
            // no train_loss: it is computed from the protected records without noise
            metrics.put(METRIC_DP_EPSILON, privacy.epsilon());
            metrics.put(METRIC_DP_DELTA, privacy.config().delta());
            metrics.put("dp_noise_multiplier", dp.noiseMultiplier());
            metrics.put("dp_clip_norm", dp.clipNorm());
            metrics.put("dp_sample_rate", dp.sampleRate(train.size()));
            LOG.info("{}: DP-SGD round {} from version {}, epsilon so far {} at delta {}", clientId,
                    privacy.rounds(), base.getVersion(), privacy.epsilon(), privacy.config().delta());
        }
        ModelWeights local = model.weights();
        ModelWeights delta = local.minus(baseWeights);
        putValidationMetrics(arch, metrics);

        String idSource = base.getModelId() + "|" + clientId + "|" + base.getVersion() + "|" + seed;
        String updateId = UUID.nameUUIDFromBytes(idSource.getBytes(StandardCharsets.UTF_8)).toString();
        List<io.floe.schema.Tensor> controlDelta = List.of();
        if (algorithm.kind() == DriftAlgorithm.Kind.SCAFFOLD) {
            ScaffoldClient.ControlUpdate cu = ScaffoldClient.controlUpdate(clientControl, serverControl, baseWeights,
                    local, result.steps(), cfg.learningRate());
            controls.record(base.getModelId(),
                    new ClientControlVariates.Round(base.getVersion(), updateId, clientControl, cu.control()));
            controlDelta = TensorRecords.toRecords(cu.controlDelta());
        }
        return ModelUpdate.newBuilder()
                .setUpdateId(updateId)
                .setModelId(base.getModelId())
                .setClientId(clientId)
                .setBaseVersion(base.getVersion())
                .setNumExamples(trainingExamples)
                .setLocalSteps(result.steps())
                .setCreatedAt(Instant.now())
                .setTensors(encoding.encode(base, updateId, delta, arch))
                .setMetrics(metrics)
                .setSignature(null)
                .setControlDelta(controlDelta)
                .build();
    }

    /** Loss and accuracy on the local validation part (and AUC for a binary model), when there is one. */
    private void putValidationMetrics(Architecture arch, Map<String, Double> metrics) {
        if (validation == null || validation.size() == 0) {
            return;
        }
        float[] p = model.predictProba(validation);
        if (arch.isMulticlass()) {
            MulticlassMetrics m = MulticlassMetrics.of(validation.labels(), p, arch.outputDim());
            metrics.put("loss", m.logLoss());
            metrics.put("accuracy", m.accuracy());
            return;
        }
        BinaryMetrics m = BinaryMetrics.of(validation.labels(), p);
        metrics.put("loss", m.logLoss());
        metrics.put("accuracy", m.accuracy());
        if (Double.isFinite(m.auc())) {
            metrics.put("auc", m.auc());
        }
    }

    /**
     * The site's SCAFFOLD control variate {@code c_i+} after its last round on {@code modelId} (in
     * this process or, with a state directory, before a restart); empty before any SCAFFOLD round.
     */
    public Optional<ModelWeights> clientControl(String modelId) {
        return controls.lastRound(modelId).map(ClientControlVariates.Round::after);
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
     *         .stateDirectory(Path.of("/var/lib/floe"))
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
        private Path stateDirectory;
        private boolean standardize = true;

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

        /**
         * Where the site keeps state that must outlive the process: SCAFFOLD's control variate
         * {@code c_i} per model ({@code DIR/<modelId>/scaffold-<clientId>.bin}), created when first
         * needed. Null (the default) keeps it in memory only, so a restarted trainer starts from
         * {@code c_i = 0} while the server's {@code c} still counts its old one.
         */
        public Builder stateDirectory(Path stateDirectory) {
            this.stateDirectory = stateDirectory;
            return this;
        }

        /**
         * Whether the site standardises its features with statistics of its own training part
         * (default true: right for tables such as WDBC). Images whose pixels are already in [0, 1]
         * train on raw pixels, as NIID-Bench does: per-site statistics would differ between
         * label-skewed sites and blow up pixels that are almost always zero.
         */
        public Builder standardize(boolean standardize) {
            this.standardize = standardize;
            return this;
        }

        public NetworkTraining build() {
            return new NetworkTraining(clientId, localData, validationFraction, seed, trainingData, dpSgd,
                    stateDirectory, standardize);
        }
    }
}
