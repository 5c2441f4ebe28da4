package io.floe.trainer.cli;

import io.floe.core.codec.Compression;
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

    @Option(names = "--compression", defaultValue = "none", description = "How clients encode their updates: none (float32),"
            + " fp16, int8 (stochastic rounding, unbiased) or topk:ratio=R (the ceil(R n) largest values of the whole update;"
            + " topk:ratio=R,scope=tensor: of each tensor) (default: ${DEFAULT-VALUE}).")
    public String compression = "none";

    @Option(names = "--no-error-feedback", negatable = false, description = "With --compression: do not carry what compression"
            + " left out of one update into the next (error feedback, Stich et al. 2018, is on by default).")
    public boolean noErrorFeedback;

    /** @throws IllegalArgumentException when {@code --compression} is not one of its forms */
    public ClientTrainingConfig toConfig() {
        return ClientTrainingConfig.newBuilder(ModelRegistration.training(learningRate, localEpochs, batchSize, momentum))
                .setCompression(Compression.parse(compression).toSpec())
                .setErrorFeedback(!noErrorFeedback)
                .build();
    }
}
