package io.floe.trainer.cli;

import io.floe.schema.ClientRelease;
import io.floe.trainer.operator.ClientCommands;
import io.floe.trainer.operator.ControlTopicPublisher;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code floe release}: lifts a client's quarantine for one or more models (robust aggregation
 * quarantines a client rejected in R of its last N rounds, {@code register --quarantine-window}), by
 * publishing one operator-signed {@link ClientRelease} per model.
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = {"Release a quarantined client for one or more models: one operator-signed ClientRelease per model.",
                "The job then takes the client's updates again."})
public class ReleaseCommand implements Callable<Integer> {
    @Mixin
    KafkaConnectionOptions kafka = new KafkaConnectionOptions();

    @Mixin
    ClientCommandOptions command = new ClientCommandOptions();

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Why, recorded in the command.")
    String reason;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cli = spec.commandLine();
        PrivateKey operatorKey = command.operatorKey(cli);
        return command.publish(cli, kafka, operatorKey, "release", "released",
                releases(operatorKey, Instant.now()).stream().map(ControlTopicPublisher.Command::of).toList());
    }

    /** One release per model, made at {@code now}, signed with {@code operatorKey} unless it is null. */
    List<ClientRelease> releases(PrivateKey operatorKey, Instant now) {
        try {
            return command.modelIds().stream().map(m -> ClientCommands.release(m, command.clientId, reason, command.operator,
                    now, operatorKey)).toList();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
