package io.floe.trainer.cli;

import io.floe.schema.ClientRevocation;
import io.floe.trainer.operator.ClientCommands;
import io.floe.trainer.operator.ControlTopicPublisher;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code floe revoke}: ends a client's enrolment for one or more models at once, by publishing one
 * operator-signed {@link ClientRevocation} per model. The job then refuses the client's updates and
 * heartbeats as REVOKED_CLIENT; only an enrolment made after the revocation lets it train again.
 */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Revoke a client's enrolment for one or more models: one operator-signed ClientRevocation per model.",
                "For a lost or compromised key, or a site that leaves; a later 'enrol' re-admits the client."})
public class RevokeCommand extends ReasonedClientCommand {
    @Override
    String noun() {
        return "revocation";
    }

    @Override
    String done() {
        return "revoked";
    }

    @Override
    ControlTopicPublisher.Command commandFor(String modelId, PrivateKey operatorKey, Instant now) {
        return ControlTopicPublisher.Command.of(revocation(modelId, operatorKey, now));
    }

    private ClientRevocation revocation(String modelId, PrivateKey operatorKey, Instant now) {
        return ClientCommands.revocation(modelId, command.clientId, reason, command.operator, now, operatorKey);
    }

    /** One revocation per model, made at {@code now}, signed with {@code operatorKey} unless it is null. */
    List<ClientRevocation> revocations(PrivateKey operatorKey, Instant now) {
        return command.modelIds().stream().map(m -> revocation(m, operatorKey, now)).toList();
    }
}
