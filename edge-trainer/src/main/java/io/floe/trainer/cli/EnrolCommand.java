package io.floe.trainer.cli;

import io.floe.core.trust.Ed25519Keys;
import io.floe.schema.ClientEnrolment;
import io.floe.trainer.operator.ClientCommands;
import io.floe.trainer.operator.ControlTopicPublisher;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code floe enrol}: lets a client train models whose spec requires client authentication, by
 * publishing one {@link ClientEnrolment} per model to the control topic, naming the client's public
 * key and when the enrolment expires, signed with the operator's key.
 */
@Command(name = "enrol", mixinStandardHelpOptions = true,
        description = {"Enrol a client for one or more models: one operator-signed ClientEnrolment per model.",
                "The client's updates and heartbeats must then be signed with the private key of --public-key."})
public class EnrolCommand implements Callable<Integer> {
    @Mixin
    KafkaConnectionOptions kafka = new KafkaConnectionOptions();

    @Mixin
    ClientCommandOptions command = new ClientCommandOptions();

    @Option(names = "--public-key", paramLabel = "FILE", required = true,
            description = "The client's public key (NAME.pub of './floe keys generate', made on the client's machine).")
    Path publicKeyFile;

    @Option(names = "--expires-in", paramLabel = "DURATION", defaultValue = "90d", converter = ExpiresIn.class,
            description = "How long the enrolment lasts: 30d, 12h, 45m, or ISO-8601 (PT720H, P30D) (default: ${DEFAULT-VALUE}).")
    Duration expiresIn;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cli = spec.commandLine();
        PrivateKey operatorKey = command.operatorKey(cli);
        PublicKey clientKey = KeyFiles.publicKey(cli, "--public-key", publicKeyFile);
        List<ClientEnrolment> enrolments = enrolments(clientKey, operatorKey, Instant.now());
        return command.publish(cli, kafka, operatorKey, "enrolment", "enrolled", " (key " + Ed25519Keys.fingerprint(clientKey) + ")",
                enrolments.isEmpty() ? "" : " until " + enrolments.get(0).getExpiresAt(),
                enrolments.stream().map(ControlTopicPublisher.Command::of).toList());
    }

    /** One enrolment per model, made at {@code now}, signed with {@code operatorKey} unless it is null. */
    List<ClientEnrolment> enrolments(PublicKey clientKey, PrivateKey operatorKey, Instant now) {
        try {
            return command.modelIds().stream().map(m -> ClientCommands.enrolment(m, command.clientId, clientKey,
                    now.plus(expiresIn), command.operator, now, operatorKey)).toList();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** {@code 30d}, {@code 12h}, {@code 45m}, {@code 90s}, or an ISO-8601 duration; positive. */
    static final class ExpiresIn implements ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*([dhms])");

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = SHORT.matcher(v);
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            } else {
                try {
                    d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                } catch (java.time.format.DateTimeParseException e) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: use 30d, 12h, 45m,"
                            + " or ISO-8601 such as PT720H or P30D");
                }
            }
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("the enrolment must last a while, not " + value);
            }
            return d;
        }
    }
}
