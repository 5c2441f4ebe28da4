package io.floe.trainer.cli;

import io.floe.core.trust.Ed25519Keys;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.HeartbeatPublisher;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.trainer.data.CsvDatasetLoader;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.metrics.MetricsEndpoint;
import io.floe.trainer.metrics.TrainerMetrics;
import io.floe.trainer.privacy.DpSgdConfig;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code floe trainer}: the trainer daemon of one site. Loads the local CSV, follows the model's
 * global versions, trains on each and publishes the delta. Runs until stopped or for
 * {@code --max-rounds} rounds.
 *
 * <p>With {@code --dp-clip-norm} the site trains with DP-SGD ({@code io.floe.trainer.privacy}):
 * {@code --dp-noise-multiplier Z} fixes sigma, or {@code --dp-target-epsilon E} derives it for
 * {@code --dp-planned-rounds R} rounds, after which the trainer stops. Each update carries the
 * site's epsilon so far ({@code dp_epsilon}) at {@code --dp-delta}.
 *
 * <p>The model's algorithm (fedavg, fedprox, scaffold, fednova) and architecture come with each
 * global version; a SCAFFOLD site keeps its control variate under {@code --state-dir}, so it
 * resumes it after a restart.
 *
 * <p>With {@code --metrics-port P} the trainer serves its own metrics ({@link TrainerMetrics}) for
 * Prometheus at {@code http://127.0.0.1:P/metrics} ({@code --metrics-bind} to listen elsewhere).
 *
 * <p>Trust: {@code --client-key} signs every update and heartbeat with the site's key (a model that
 * requires client authentication takes only those, from an enrolled key); {@code --job-public-key}
 * makes the trainer use only global versions the job signed, ignoring others with a WARN and
 * counting them ({@code floe_trainer_models_ignored_total}).
 */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = {"Run a federated trainer for one site: local data stays here, only weight deltas are published.",
                "A chunked model (registered with --chunk-bytes) needs nothing more here: the trainer trains on a version once all",
                "its chunks are in and match their hashes, and sends each update as a header plus chunks of the same size."})
public class TrainerCommand implements Callable<Integer> {
    @Mixin
    KafkaConnectionOptions kafka = new KafkaConnectionOptions();

    @Option(names = "--model-id", required = true, description = "Model to train.")
    String modelId;

    @Option(names = "--client-id", required = true, description = "This site's id (one update per client per round).")
    String clientId;

    @Option(names = "--data", required = true, description = "Local CSV: a header row with a label column, or the scikit-learn form of data/wdbc.")
    Path data;

    @Option(names = "--label-column", description = "Label column name for a CSV with a header row (default: the last column).")
    String labelColumn;

    @Option(names = "--validation-fraction", defaultValue = "0.2", description = "Share of local data kept for local validation (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the local split and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-rounds", defaultValue = "0", description = "Stop after this many updates; 0 runs until stopped (default: ${DEFAULT-VALUE}).")
    int maxRounds;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "./floe-state", description = "Where this site keeps"
            + " state that must survive a restart: its SCAFFOLD control variate per model (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--heartbeat-interval-ms", defaultValue = "10000", description = "Announce this site on the clients "
            + "topic at start and this often, so models with client selection count it available (default: ${DEFAULT-VALUE}).")
    long heartbeatIntervalMs;

    @Option(names = "--dp-clip-norm", paramLabel = "C", description = "Train with DP-SGD (sample-level differential "
            + "privacy for this site's records): clip each example's gradient to L2 norm C. Needs --dp-noise-multiplier "
            + "or --dp-target-epsilon.")
    Double dpClipNorm;

    @Option(names = "--dp-noise-multiplier", paramLabel = "Z", description = "DP-SGD noise std over the clip norm; "
            + "epsilon then grows with each round and is sent with each update.")
    Double dpNoiseMultiplier;

    @Option(names = "--dp-target-epsilon", paramLabel = "E", description = "DP-SGD: derive the noise multiplier so "
            + "that --dp-planned-rounds rounds spend epsilon E; the trainer stops when the next round would exceed it.")
    Double dpTargetEpsilon;

    @Option(names = "--dp-delta", paramLabel = "D", description = "DP-SGD delta, well below 1/n for n local records "
            + "(default: 1e-5).")
    Double dpDelta;

    @Option(names = "--dp-planned-rounds", paramLabel = "R", description = "Rounds the target epsilon is spread over "
            + "(default: --max-rounds when set).")
    Integer dpPlannedRounds;

    @Option(names = "--dp-expected-batch-size", paramLabel = "B", description = "DP-SGD expected Poisson batch size "
            + "(default: the batch size the global model asks for).")
    Integer dpExpectedBatchSize;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Serve this trainer's metrics (rounds, last version,"
            + " publish retries, local loss/accuracy/AUC, DP-SGD epsilon) for Prometheus at http://BIND:PORT/metrics;"
            + " 0 picks a free port. Off unless given.")
    Integer metricsPort;

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS", defaultValue = MetricsEndpoint.DEFAULT_BIND,
            description = "Address the metrics endpoint binds to; 0.0.0.0 exposes it beyond this host (default: ${DEFAULT-VALUE}).")
    String metricsBind;

    @Option(names = "--client-key", paramLabel = "FILE", description = "This site's private key (NAME.key of"
            + " './floe keys generate', made here): signs every update and heartbeat. Needed for models registered with"
            + " client authentication, once an operator enrolled its NAME.pub ('floe enrol').")
    Path clientKeyFile;

    @Option(names = "--job-public-key", paramLabel = "FILE", description = "The aggregation job's public key: train only on"
            + " global versions it signed; others are ignored with a warning. Off unless given.")
    Path jobPublicKeyFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrivateKey clientKey = KeyFiles.privateKey(spec.commandLine(), "--client-key", clientKeyFile);
        PublicKey jobKey = KeyFiles.publicKey(spec.commandLine(), "--job-public-key", jobPublicKeyFile);
        if (heartbeatIntervalMs <= 0) {
            throw new ParameterException(spec.commandLine(), "--heartbeat-interval-ms must be positive, was " + heartbeatIntervalMs);
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new ParameterException(spec.commandLine(), "--metrics-port must be in [0, 65535] (0: any free port), was " + metricsPort);
        }
        Optional<DpSgdConfig> dpSgd = dpSgdConfig();
        CsvDatasetLoader.Builder loader = CsvDatasetLoader.builder();
        if (labelColumn != null) {
            loader.labelColumn(labelColumn);
        }
        Dataset local = loader.build().load(data);
        NetworkTraining.Builder builder = NetworkTraining.builder(clientId, local)
                .validationFraction(validationFraction).seed(seed).stateDirectory(stateDir);
        dpSgd.ifPresent(builder::dpSgd);
        NetworkTraining training = builder.build();
        System.out.printf("trainer %s: %d local examples (%d for training), model %s on %s%n", clientId, local.size(),
                training.trainingExamples(), modelId, kafka.bootstrapServers);
        dpSgd.ifPresent(dp -> System.out.printf("trainer %s: %s%n", clientId, dp));
        System.out.printf("trainer %s: %s; %s%n", clientId, clientKey == null ? "updates and heartbeats unsigned"
                : "signing updates and heartbeats with " + clientKeyFile, jobKey == null ? "global versions not checked"
                : "training only on global versions signed by job key " + Ed25519Keys.fingerprint(jobKey));
        try (GlobalModelFollower follower = new GlobalModelFollower(kafka.bootstrapServers, kafka.topics().models(), modelId,
                        kafka.clientProperties(), jobKey);
                UpdatePublisher publisher = new UpdatePublisher(kafka.bootstrapServers, kafka.topics().updates(),
                        kafka.clientProperties(), null, clientKey);
                HeartbeatPublisher heartbeats = new HeartbeatPublisher(kafka.bootstrapServers, kafka.topics().clients(),
                        modelId, clientId, training.trainingExamples(), kafka.clientProperties(), clientKey)) {
            AtomicReference<TrainerLoop> started = new AtomicReference<>();
            TrainerMetrics metrics = new TrainerMetrics(modelId, clientId,
                    () -> started.get() == null ? -1 : started.get().lastTrainedVersion(), publisher::publishRetries,
                    follower.verifier());
            TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, training, maxRounds,
                    u -> {
                        metrics.published(u);
                        System.out.printf("trainer %s: sent update %s from version %d (local accuracy %s, auc %s)%n",
                                clientId, u.getUpdateId(), u.getBaseVersion(),
                                u.getMetrics().getOrDefault("accuracy", Double.NaN),
                                u.getMetrics().getOrDefault("auc", Double.NaN));
                    },
                    heartbeats, Duration.ofMillis(heartbeatIntervalMs));
            started.set(loop);
            Runtime.getRuntime().addShutdownHook(new Thread(loop::stop));
            try (MetricsEndpoint endpoint = metricsPort == null ? null : MetricsEndpoint.start(metricsBind, metricsPort, metrics::scrape)) {
                if (endpoint != null) {
                    System.out.printf("trainer %s: metrics at %s%n", clientId, endpoint.url());
                }
                loop.run();
            }
            if (loop.budgetExhausted()) {
                System.out.printf("trainer %s: privacy budget exhausted after %d updates, stopped%n", clientId,
                        loop.rounds());
            }
        }
        return 0;
    }

    /**
     * The DP-SGD options as a config, or empty when none is given.
     *
     * @throws ParameterException naming the options to fix, e.g. when both a noise multiplier and
     *     a target epsilon are given
     */
    Optional<DpSgdConfig> dpSgdConfig() {
        if (dpClipNorm == null) {
            String stray = dpNoiseMultiplier != null ? "--dp-noise-multiplier"
                    : dpTargetEpsilon != null ? "--dp-target-epsilon"
                    : dpDelta != null ? "--dp-delta"
                    : dpPlannedRounds != null ? "--dp-planned-rounds"
                    : dpExpectedBatchSize != null ? "--dp-expected-batch-size" : null;
            if (stray != null) {
                throw new ParameterException(spec.commandLine(), stray + " needs --dp-clip-norm: DP-SGD is on only "
                        + "when a clip norm is given");
            }
            return Optional.empty();
        }
        if (dpNoiseMultiplier != null && dpTargetEpsilon != null) {
            throw new ParameterException(spec.commandLine(), "--dp-noise-multiplier and --dp-target-epsilon are "
                    + "mutually exclusive: give a fixed noise multiplier, or a target epsilon to derive it from");
        }
        if (dpNoiseMultiplier == null && dpTargetEpsilon == null) {
            throw new ParameterException(spec.commandLine(), "--dp-clip-norm needs --dp-noise-multiplier Z or "
                    + "--dp-target-epsilon E (with --dp-planned-rounds R)");
        }
        if (dpNoiseMultiplier != null && dpPlannedRounds != null) {
            throw new ParameterException(spec.commandLine(), "--dp-planned-rounds applies to --dp-target-epsilon "
                    + "only; with --dp-noise-multiplier epsilon grows each round and is sent with each update");
        }
        Integer planned = dpPlannedRounds != null ? dpPlannedRounds : dpTargetEpsilon != null && maxRounds > 0
                ? Integer.valueOf(maxRounds) : null;
        if (dpTargetEpsilon != null && planned == null) {
            throw new ParameterException(spec.commandLine(), "--dp-target-epsilon needs the number of rounds it is "
                    + "spread over: give --dp-planned-rounds R (or --max-rounds R)");
        }
        try {
            DpSgdConfig.Builder dp = DpSgdConfig.builder().clipNorm(dpClipNorm);
            if (dpNoiseMultiplier != null) {
                dp.noiseMultiplier(dpNoiseMultiplier);
            } else {
                dp.targetEpsilon(dpTargetEpsilon).plannedRounds(planned);
            }
            if (dpDelta != null) {
                dp.delta(dpDelta);
            }
            if (dpExpectedBatchSize != null) {
                dp.expectedBatchSize(dpExpectedBatchSize);
            }
            return Optional.of(dp.build());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
