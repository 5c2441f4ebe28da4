package io.floe.trainer.cli;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What {@code enrol}, {@code revoke} and {@code release} have in common: the models and the client
 * the command is about, and who gives it, with the key that signs it.
 */
public class ClientCommandOptions {
    @Option(names = "--model", paramLabel = "MODEL", split = ",", required = true,
            description = "Model id(s), comma-separated; one command record is published per model.")
    List<String> models;

    @Option(names = "--client", paramLabel = "ID", required = true, description = "The client id (its trainer's --client-id).")
    String clientId;

    @Option(names = "--operator-key", paramLabel = "FILE", description = "The operator's private key (NAME.key of"
            + " './floe keys generate'): signs the command, which a job given --operator-keys needs. Without it the"
            + " command goes out unsigned and only a job without operator keys obeys it.")
    Path operatorKeyFile;

    @Option(names = "--operator", paramLabel = "NAME", defaultValue = "${sys:user.name}",
            description = "Who gives the command, recorded in it (default: ${DEFAULT-VALUE}).")
    String operator;

    /** The operator's key, or null without {@code --operator-key}. */
    PrivateKey operatorKey(CommandLine cli) {
        return KeyFiles.privateKey(cli, "--operator-key", operatorKeyFile);
    }

    /** The models, each once, in the order given. */
    List<String> modelIds() {
        return models.stream().map(String::trim).filter(m -> !m.isEmpty()).distinct().toList();
    }
}
