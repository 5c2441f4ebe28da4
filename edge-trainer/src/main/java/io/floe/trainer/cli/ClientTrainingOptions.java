package io.floe.trainer.cli;

import io.floe.schema.ClientTrainingConfig;
import io.floe.trainer.daemon.ModelRegistration;
import picocli.CommandLine.Option;

/**
 * How clients train locally on each version, as {@code floe register} and {@code floe demo} take
 * it; it travels in the ModelSpec and in every GlobalModel.
 */
public class ClientTrainingOptions {
    @Option(names = "--learning-rate", defaultValue = "0.1", description = "Client learning rate (default: ${DEFAULT-VALUE}).")
    public float learningRate = 0.1f;

    @Option(names = "--local-epochs", defaultValue = "2", description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
    public int localEpochs = 2;

    @Option(names = "--batch-size", defaultValue = "16", description = "Client batch size (default: ${DEFAULT-VALUE}).")
    public int batchSize = 16;

    @Option(names = "--momentum", defaultValue = "0", description = "Heavy-ball momentum of the clients' local SGD, in [0, 1);"
            + " 0 = plain SGD, NIID-Bench uses 0.9 (default: ${DEFAULT-VALUE}).")
    public float momentum;

    public ClientTrainingConfig toConfig() {
        return ModelRegistration.training(learningRate, localEpochs, batchSize, momentum);
    }
}
