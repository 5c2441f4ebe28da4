package io.floe.trainer.cli;

import io.floe.schema.ModelSpec;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.model.Architecture;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code floe register}: publish a ModelSpec that creates (or reconfigures) a model. */
@Command(name = "register", mixinStandardHelpOptions = true,
        description = "Create or reconfigure a federated model by publishing a ModelSpec to the control topic.")
public class RegisterCommand implements Callable<Integer> {
    @Mixin
    KafkaConnectionOptions kafka = new KafkaConnectionOptions();

    @Option(names = "--model-id", required = true)
    String modelId;

    @Option(names = "--architecture", required = true, description = "logreg(D), mlp(D,H1,...,K) (K = 1: binary, K >= 2: softmax) or cnn(H,W,C,K), e.g. 'mlp(30,16,1)'.")
    String architecture;

    @Mixin
    AggregationOptions aggregation = new AggregationOptions();

    @Option(names = "--clients-per-round", defaultValue = "10", description = "Updates that close a round (default: ${DEFAULT-VALUE}).")
    int clientsPerRound;

    @Mixin
    ClientTrainingOptions training = new ClientTrainingOptions();

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the initial weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        ModelSpec spec;
        try {
            spec = ModelRegistration.spec(modelId, Architecture.parse(architecture), seed,
                    aggregation.toConfig(clientsPerRound, 1), training.toConfig());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandSpec.commandLine(), e.getMessage(), e);
        }
        String chunked = ModelRegistration.chunkedSpecProblem(spec);
        if (chunked != null) {
            throw new ParameterException(commandSpec.commandLine(), "the job would refuse this spec: " + chunked);
        }
        ModelRegistration.publish(kafka.bootstrapServers, kafka.topics().control(), spec, kafka.clientProperties());
        int chunks = ModelRegistration.chunkCount(spec);
        System.out.printf("published ModelSpec %s (%s, %s, %d clients per round%s) to %s%n", modelId, spec.getArchitecture(), aggregation.rule,
                clientsPerRound, chunks == 0 ? "" : String.format(", chunked: %d chunks of %d bytes", chunks,
                        spec.getAggregation().getChunkBytes()), kafka.topics().control());
        return 0;
    }
}
