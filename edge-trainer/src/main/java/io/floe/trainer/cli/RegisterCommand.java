package io.floe.trainer.cli;

import io.floe.schema.ModelSpec;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.core.spec.Architecture;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code floe register}: publish a ModelSpec that creates (or reconfigures) a model. With
 * {@code --operator-key} the spec is signed (a job given {@code --operator-keys} obeys only signed
 * specs) and, unless {@code --authentication none}, requires client authentication: the job then
 * takes updates and heartbeats only from clients enrolled with {@code floe enrol}, signed with their keys.
 */
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

    @Option(names = "--operator-key", paramLabel = "FILE", description = "The operator's private key (NAME.key of"
            + " './floe keys generate'): signs the spec, which a job given --operator-keys needs.")
    Path operatorKeyFile;

    @Option(names = "--authentication", paramLabel = "required|none", description = "required: the job takes updates and"
            + " heartbeats only from clients enrolled with 'floe enrol', signed with their keys; none: any client that can"
            + " write to the updates topic takes part (default: required with --operator-key, none without).")
    String authentication;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        ModelSpec spec = spec();
        if ("none".equals(spec.getClientAuthentication())) {
            commandSpec.commandLine().getErr().printf("warning: the clients of model %s are not authenticated: any client"
                    + " that can write to %s takes part (give --operator-key, and enrol the clients, to require signed"
                    + " updates)%n", modelId, kafka.topics().updates());
        }
        ModelRegistration.publish(kafka.bootstrapServers, kafka.topics().control(), spec, kafka.clientProperties());
        int chunks = ModelRegistration.chunkCount(spec);
        System.out.printf("published %s ModelSpec %s (%s, %s, %d clients per round%s, client authentication %s) to %s%n",
                spec.getSignature() == null ? "unsigned" : "signed", modelId, spec.getArchitecture(), aggregation.rule,
                clientsPerRound, chunks == 0 ? "" : String.format(", chunked: %d chunks of %d bytes", chunks,
                        spec.getAggregation().getChunkBytes()), spec.getClientAuthentication(), kafka.topics().control());
        return 0;
    }

    /**
     * The spec the options describe, with its client authentication, signed when an operator key is given.
     *
     * @throws ParameterException for options the job would refuse, e.g. {@code --authentication required} without a key
     */
    ModelSpec spec() {
        CommandLine cli = commandSpec.commandLine();
        PrivateKey operatorKey = KeyFiles.privateKey(cli, "--operator-key", operatorKeyFile);
        String clientAuthentication = authentication != null ? authentication : operatorKey != null ? "required" : "none";
        if ("required".equals(clientAuthentication) && operatorKey == null) {
            throw new ParameterException(cli, "--authentication required needs --operator-key FILE: clients are enrolled by"
                    + " signed operator commands, and a job without operator keys refuses such a spec");
        }
        ModelSpec spec;
        try {
            spec = ModelRegistration.spec(modelId, Architecture.parse(architecture), seed,
                    aggregation.toConfig(clientsPerRound, 1), training.toConfig());
            spec = ModelRegistration.authenticated(spec, clientAuthentication, operatorKey);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cli, e.getMessage(), e);
        }
        String refused = ModelRegistration.specProblem(spec);
        if (refused != null) {
            throw new ParameterException(cli, "the job would refuse this spec: " + refused);
        }
        return spec;
    }
}
