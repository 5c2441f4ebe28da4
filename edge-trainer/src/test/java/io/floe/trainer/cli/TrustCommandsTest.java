package io.floe.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.trust.RecordSignatures.Verdict;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientRelease;
import io.floe.schema.ClientRevocation;
import io.floe.schema.ModelSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The operator's trust commands, up to the records they would publish (no broker): keys generate,
 * enrol, revoke and release signed with the operator's key, register's signed spec and its
 * authentication default, and the trainer's key options.
 */
class TrustCommandsTest {
    private static final String[] KAFKA = {"--bootstrap-servers", "localhost:9092"};
    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void keysGenerateWritesAPrivateFileReadableByItsOwnerAndPrintsTheFingerprint() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = OperatorMain.commandLine();
        cli.setOut(new PrintWriter(out));

        int code = cli.execute("keys", "generate", "--out", dir.resolve("keys").toString(), "--name", "operator");

        assertThat(code).isZero();
        Path priv = dir.resolve("keys/operator.key");
        PublicKey pub = Ed25519Keys.readPublicKey(dir.resolve("keys/operator.pub"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        assertThat(out.toString()).contains("fingerprint " + Ed25519Keys.fingerprint(pub));
        // the two files are one pair
        ClientRelease probe = RecordSignatures.sign(release("m"), Ed25519Keys.readPrivateKey(priv));
        assertThat(RecordSignatures.verify(probe, pub)).isEqualTo(Verdict.VALID);
    }

    @Test
    void keysGenerateRefusesToOverwriteAKeyPairUnlessForced() {
        StringWriter err = new StringWriter();
        CommandLine cli = OperatorMain.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));

        assertThat(cli.execute("keys", "generate", "--out", dir.toString(), "--name", "site-1")).isZero();
        assertThat(cli.execute("keys", "generate", "--out", dir.toString(), "--name", "site-1")).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("site-1.key exists", "--force");
        assertThat(cli.execute("keys", "generate", "--out", dir.toString(), "--name", "site-1", "--force")).isZero();
        assertThat(cli.execute("keys", "generate", "--out", dir.toString(), "--name", "../x")).isEqualTo(CommandLine.ExitCode.USAGE);
    }

    @Test
    void enrolBuildsOneEnrolmentPerModelSignedByTheOperatorNamingTheClientsKey() {
        KeyPair operator = write(Ed25519Keys.generate(), "operator");
        KeyPair client = write(Ed25519Keys.generate(), "site-1");
        EnrolCommand enrol = parse(new EnrolCommand(), "--model", "wdbc,fmnist", "--client", "site-1", "--public-key",
                dir.resolve("site-1.pub").toString(), "--expires-in", "30d", "--operator-key", dir.resolve("operator.key").toString(),
                "--operator", "alice");

        List<ClientEnrolment> enrolments = enrol.enrolments(client.getPublic(), enrol.command.operatorKey(null), NOW);

        assertThat(enrolments).extracting(ClientEnrolment::getModelId).containsExactly("wdbc", "fmnist");
        for (ClientEnrolment e : enrolments) {
            // as the job decodes it from the control topic
            ClientEnrolment read = WireCodec.CLIENT_ENROLMENT.decode(WireCodec.CLIENT_ENROLMENT.encode(e));
            assertThat(RecordSignatures.verify(read, operator.getPublic())).isEqualTo(Verdict.VALID);
            assertThat(RecordSignatures.verify(read, client.getPublic())).isEqualTo(Verdict.BAD_SIGNATURE);
            assertThat(read.getClientId()).isEqualTo("site-1");
            assertThat(read.getOperator()).isEqualTo("alice");
            assertThat(read.getCreatedAt()).isEqualTo(NOW);
            assertThat(read.getExpiresAt()).isEqualTo(NOW.plus(Duration.ofDays(30)));
            assertThat(Ed25519Keys.publicKey(bytes(read.getPublicKey()))).isEqualTo(client.getPublic());
            ClientEnrolment longer = ClientEnrolment.newBuilder(read).setExpiresAt(NOW.plus(Duration.ofDays(3650))).build();
            assertThat(RecordSignatures.verify(longer, operator.getPublic())).isEqualTo(Verdict.BAD_SIGNATURE);
        }
    }

    @Test
    void enrolExpiryTakesShortFormsAndIso8601AndRefusesNonsense() {
        EnrolCommand.ExpiresIn expiresIn = new EnrolCommand.ExpiresIn();

        assertThat(expiresIn.convert("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(expiresIn.convert("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(expiresIn.convert("PT720H")).isEqualTo(Duration.ofHours(720));
        assertThat(expiresIn.convert("P30D")).isEqualTo(Duration.ofDays(30));
        assertThat(parse(new EnrolCommand(), "--model", "m", "--client", "c", "--public-key", "c.pub").expiresIn)
                .as("default").isEqualTo(Duration.ofDays(90));
        assertThatThrownBy(() -> expiresIn.convert("a month")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> expiresIn.convert("0d")).hasMessageContaining("must last");
    }

    @Test
    void revokeAndReleaseAreSignedPerModelAndUnsignedWithoutAKey() {
        KeyPair operator = write(Ed25519Keys.generate(), "operator");
        String[] args = {"--model", "wdbc, fmnist", "--client", "site-3", "--reason", "key lost", "--operator-key",
            dir.resolve("operator.key").toString()};
        RevokeCommand revoke = parse(new RevokeCommand(), args);
        ReleaseCommand release = parse(new ReleaseCommand(), args);
        RevokeCommand unsigned = parse(new RevokeCommand(), "--model", "wdbc", "--client", "site-3");

        List<ClientRevocation> revocations = revoke.revocations(revoke.command.operatorKey(null), NOW);
        List<ClientRelease> releases = release.releases(release.command.operatorKey(null), NOW);

        assertThat(revocations).extracting(ClientRevocation::getModelId).containsExactly("wdbc", "fmnist");
        assertThat(revocations).allSatisfy(r -> {
            assertThat(RecordSignatures.verify(WireCodec.CLIENT_REVOCATION.decode(WireCodec.CLIENT_REVOCATION.encode(r)),
                    operator.getPublic())).isEqualTo(Verdict.VALID);
            assertThat(r.getReason()).isEqualTo("key lost");
        });
        assertThat(releases).extracting(ClientRelease::getClientId).containsExactly("site-3", "site-3");
        assertThat(releases).allSatisfy(r -> assertThat(RecordSignatures.verify(r, operator.getPublic())).isEqualTo(Verdict.VALID));
        assertThat(unsigned.revocations(null, NOW).get(0).getSignature()).isNull();
    }

    @Test
    void registerWithAnOperatorKeySignsTheSpecAndRequiresClientAuthenticationByDefault() {
        KeyPair operator = write(Ed25519Keys.generate(), "operator");
        String key = dir.resolve("operator.key").toString();

        ModelSpec required = register("--operator-key", key).spec();
        ModelSpec optedOut = register("--operator-key", key, "--authentication", "none").spec();
        ModelSpec open = register().spec();

        assertThat(required.getClientAuthentication()).isEqualTo("required");
        assertThat(RecordSignatures.verify(WireCodec.MODEL_SPEC.decode(WireCodec.MODEL_SPEC.encode(required)), operator.getPublic()))
                .isEqualTo(Verdict.VALID);
        assertThat(RecordSignatures.verify(ModelSpec.newBuilder(required).setClientAuthentication("none").build(),
                operator.getPublic())).as("authentication switched off after signing").isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(optedOut.getClientAuthentication()).isEqualTo("none");
        assertThat(RecordSignatures.verify(optedOut, operator.getPublic())).isEqualTo(Verdict.VALID);
        assertThat(open.getClientAuthentication()).isEqualTo("none");
        assertThat(open.getSignature()).isNull();
    }

    @Test
    void registerRefusesAuthenticationWithoutAKeyAndUnknownModes() {
        write(Ed25519Keys.generate(), "operator");

        assertThatThrownBy(() -> register("--authentication", "required").spec()).isInstanceOf(ParameterException.class)
                .hasMessageContaining("--authentication required needs --operator-key");
        assertThatThrownBy(() -> register("--operator-key", dir.resolve("operator.key").toString(), "--authentication", "maybe")
                .spec()).isInstanceOf(ParameterException.class).hasMessageContaining("'required' or 'none'");
        assertThatThrownBy(() -> register("--operator-key", dir.resolve("operator.pub").toString()).spec())
                .isInstanceOf(ParameterException.class).hasMessageContaining("--operator-key").hasMessageContaining("NAME.key");
    }

    @Test
    void theTrainerTakesAClientKeyAndTheJobsPublicKey() {
        String[] required = {"--bootstrap-servers", "localhost:9092", "--model-id", "m", "--client-id", "h1", "--data", "x.csv"};
        TrainerCommand plain = parse(new TrainerCommand(), required);
        TrainerCommand keyed = parse(new TrainerCommand(), Stream.concat(Stream.of(required),
                Stream.of("--client-key", "h1.key", "--job-public-key", "job.pub")).toArray(String[]::new));

        assertThat(plain.clientKeyFile).isNull();
        assertThat(plain.jobPublicKeyFile).isNull();
        assertThat(keyed.clientKeyFile).isEqualTo(Path.of("h1.key"));
        assertThat(keyed.jobPublicKeyFile).isEqualTo(Path.of("job.pub"));
    }

    @Test
    void theOperatorsEntryPointAndTheTrainersListTheirKeyCommands() {
        StringWriter out = new StringWriter();
        CommandLine operator = OperatorMain.commandLine();
        operator.setOut(new PrintWriter(out));
        StringWriter trainerOut = new StringWriter();
        CommandLine trainerKeys = TrainerMain.keysCommandLine();
        trainerKeys.setOut(new PrintWriter(trainerOut));

        assertThat(operator.execute("--help")).isZero();
        assertThat(trainerKeys.execute("generate", "--out", dir.toString(), "--name", "gateway")).isZero();

        assertThat(out.toString()).contains("keys", "enrol", "revoke", "release");
        assertThat(trainerOut.toString()).contains("gateway.key", "fingerprint");
    }

    private RegisterCommand register(String... args) {
        return parse(new RegisterCommand(), Stream.concat(Stream.of("--model-id", "m", "--architecture", "mlp(4,8,1)"),
                Stream.of(args)).toArray(String[]::new));
    }

    private static <T> T parse(T command, String... args) {
        String[] all = command instanceof TrainerCommand ? args : Stream.concat(Stream.of(KAFKA), Stream.of(args)).toArray(String[]::new);
        new CommandLine(command).parseArgs(all);
        return command;
    }

    private KeyPair write(KeyPair pair, String name) {
        Ed25519Keys.write(pair, dir, name);
        return pair;
    }

    private static ClientRelease release(String model) {
        return ClientRelease.newBuilder().setModelId(model).setClientId("c").setCreatedAt(NOW).build();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
