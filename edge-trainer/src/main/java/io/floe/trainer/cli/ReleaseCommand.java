package io.floe.trainer.cli;

import io.floe.schema.ClientRelease;
import io.floe.trainer.operator.ClientCommands;
import io.floe.trainer.operator.ControlTopicPublisher;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code floe release}: lifts a client's quarantine for one or more models (robust aggregation
 * quarantines a client rejected in R of its last N rounds, {@code register --quarantine-window}), by
 * publishing one operator-signed {@link ClientRelease} per model.
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = {"Release a quarantined client for one or more models: one operator-signed ClientRelease per model.",
                "The job then takes the client's updates again."})
public class ReleaseCommand extends ReasonedClientCommand {
    @Override
    String noun() {
        return "release";
    }

    @Override
    String done() {
        return "released";
    }

    @Override
    ControlTopicPublisher.Command commandFor(String modelId, PrivateKey operatorKey, Instant now) {
        return ControlTopicPublisher.Command.of(release(modelId, operatorKey, now));
    }

    private ClientRelease release(String modelId, PrivateKey operatorKey, Instant now) {
        return ClientCommands.release(modelId, command.clientId, reason, command.operator, now, operatorKey);
    }

    /** One release per model, made at {@code now}, signed with {@code operatorKey} unless it is null. */
    List<ClientRelease> releases(PrivateKey operatorKey, Instant now) {
        return command.modelIds().stream().map(m -> release(m, operatorKey, now)).toList();
    }
}
