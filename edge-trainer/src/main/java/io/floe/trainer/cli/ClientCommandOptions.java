package io.floe.trainer.cli;

import io.floe.trainer.operator.ControlTopicPublisher;
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

    /** As {@link #publish(CommandLine, KafkaConnectionOptions, PrivateKey, String, String, String, String, List)} without notes. */
    int publish(CommandLine cli, KafkaConnectionOptions kafka, PrivateKey operatorKey, String noun, String done,
            List<ControlTopicPublisher.Command> commands) throws InterruptedException {
        return publish(cli, kafka, operatorKey, noun, done, "", "", commands);
    }

    /**
     * Publishes {@code commands} (one per model) to the control topic and reports each on the
     * command line's output as {@code "<done> client C<clientNote> for model M<modelNote>, signed by
     * operator O, on TOPIC"}; a warning first when they go out unsigned ({@code noun} names them in it).
     */
    int publish(CommandLine cli, KafkaConnectionOptions kafka, PrivateKey operatorKey, String noun, String done, String clientNote,
            String modelNote, List<ControlTopicPublisher.Command> commands) throws InterruptedException {
        if (operatorKey == null) {
            cli.getErr().println("warning: unsigned " + noun + " (no --operator-key): a job given --operator-keys refuses it");
        }
        ControlTopicPublisher.publish(kafka.bootstrapServers, kafka.topics().control(), kafka.clientProperties(), commands);
        for (ControlTopicPublisher.Command c : commands) {
            cli.getOut().printf("%s client %s%s for model %s%s%s, on %s%n", done, clientId, clientNote, c.modelId(), modelNote,
                    operatorKey == null ? ", unsigned" : ", signed by operator " + operator, kafka.topics().control());
        }
        cli.getOut().flush();
        return 0;
    }
}
