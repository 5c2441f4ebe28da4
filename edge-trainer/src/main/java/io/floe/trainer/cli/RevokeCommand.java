package io.floe.trainer.cli;

import io.floe.schema.ClientRevocation;
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
 * {@code floe revoke}: ends a client's enrolment for one or more models at once, by publishing one
 * operator-signed {@link ClientRevocation} per model. The job then refuses the client's updates and
 * heartbeats as REVOKED_CLIENT; only an enrolment made after the revocation lets it train again.
 */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Revoke a client's enrolment for one or more models: one operator-signed ClientRevocation per model.",
                "For a lost or compromised key, or a site that leaves; a later 'enrol' re-admits the client."})
public class RevokeCommand implements Callable<Integer> {
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
        return command.publish(cli, kafka, operatorKey, "revocation", "revoked",
                revocations(operatorKey, Instant.now()).stream().map(ControlTopicPublisher.Command::of).toList());
    }

    /** One revocation per model, made at {@code now}, signed with {@code operatorKey} unless it is null. */
    List<ClientRevocation> revocations(PrivateKey operatorKey, Instant now) {
        try {
            return command.modelIds().stream().map(m -> ClientCommands.revocation(m, command.clientId, reason, command.operator,
                    now, operatorKey)).toList();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
