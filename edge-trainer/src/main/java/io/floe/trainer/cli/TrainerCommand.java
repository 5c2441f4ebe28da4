package io.floe.trainer.cli;

import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.trainer.data.CsvDatasetLoader;
import io.floe.trainer.data.Dataset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code floe trainer}: the trainer daemon of one site. Loads the local CSV, follows the model's
 * global versions, trains on each and publishes the delta. Runs until stopped or for
 * {@code --max-rounds} rounds.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Run a federated trainer for one site: local data stays here, only weight deltas are published.")
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

    @Override
    public Integer call() throws Exception {
        CsvDatasetLoader.Builder loader = CsvDatasetLoader.builder();
        if (labelColumn != null) {
            loader.labelColumn(labelColumn);
        }
        Dataset local = loader.build().load(data);
        NetworkTraining training = new NetworkTraining(clientId, local, validationFraction, seed);
        System.out.printf("trainer %s: %d local examples (%d for training), model %s on %s%n", clientId, local.size(),
                training.trainingExamples(), modelId, kafka.bootstrapServers);
        try (GlobalModelFollower follower = new GlobalModelFollower(kafka.bootstrapServers, kafka.topics().models(), modelId,
                        kafka.clientProperties());
                UpdatePublisher publisher = new UpdatePublisher(kafka.bootstrapServers, kafka.topics().updates(),
                        kafka.clientProperties())) {
            TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, training, maxRounds,
                    u -> System.out.printf("trainer %s: sent update %s from version %d (local auc %s)%n", clientId,
                            u.getUpdateId(), u.getBaseVersion(), u.getMetrics().getOrDefault("auc", Double.NaN)));
            Runtime.getRuntime().addShutdownHook(new Thread(loop::stop));
            loop.run();
        }
        return 0;
    }
}
