package io.floe.trainer.cli;

import io.floe.trainer.operator.ControlTopicPublisher;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What {@code revoke} and {@code release} share: a client, its models, a reason, and one signed
 * command per model published and reported ({@link ClientCommandOptions#publish}).
 */
abstract class ReasonedClientCommand implements Callable<Integer> {
    @Mixin
    KafkaConnectionOptions kafka = new KafkaConnectionOptions();

    @Mixin
    ClientCommandOptions command = new ClientCommandOptions();

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Why, recorded in the command.")
    String reason;

    @Spec
    CommandSpec spec;

    /** The command's name in messages, e.g. {@code revocation}. */
    abstract String noun();

    /** What happened, for the report line, e.g. {@code revoked}. */
    abstract String done();

    /** The command for one model, made at {@code now}, signed with {@code operatorKey} unless it is null. */
    abstract ControlTopicPublisher.Command commandFor(String modelId, PrivateKey operatorKey, Instant now);

    @Override
    public Integer call() throws Exception {
        CommandLine cli = spec.commandLine();
        PrivateKey operatorKey = command.operatorKey(cli);
        return command.publish(cli, kafka, operatorKey, noun(), done(), commands(operatorKey, Instant.now()));
    }

    /** One command per model, made at {@code now}; a bad id is a command-line error. */
    List<ControlTopicPublisher.Command> commands(PrivateKey operatorKey, Instant now) {
        try {
            return command.modelIds().stream().map(m -> commandFor(m, operatorKey, now)).toList();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
