package io.floe.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.deploy.local.EmbeddedFloe;
import io.floe.deploy.local.RoundObserver;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.core.spec.Architecture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged trainer as a site runs it: {@code floe-trainer-VERSION.tar.gz}, unpacked with
 * {@code tar} into a temporary directory, started through its {@code bin/floe-trainer} by a plain
 * Java runtime, with nothing but the archive's {@code lib/} on the classpath. Three such trainer
 * processes, each with its own slice of WDBC, train against floe's server side in this JVM: a real
 * KRaft broker and the aggregation job in a Flink MiniCluster ({@link EmbeddedFloe}). Every one of
 * three synchronous rounds must close with all three trainers' updates accepted.
 *
 * <p>The archive is the one this module's package phase wrote; failsafe runs this test after it.
 */
class TrainerDistributionITCase {
    private static final Path ARCHIVE = Path.of(System.getProperty("floe.trainer.archive",
            "target/floe-trainer.tar.gz"));
    private static final Path WDBC = Path.of(System.getProperty("floe.wdbc", "../data/wdbc/breast_cancer.csv"));
    private static final String MODEL_ID = "wdbc-dist";
    private static final int TRAINERS = 3;
    private static final int ROUNDS = 3;
    private static final long SEED = 17;
    private static final Duration ALL_ROUNDS = Duration.ofSeconds(100);
    private static final Duration TRAINER_EXIT = Duration.ofSeconds(30);

    @TempDir
    static Path unpacked;
    /** The archive's single top directory, floe-trainer-VERSION. */
    private static Path home;

    @BeforeAll
    static void unpackTheArchive() throws Exception {
        assertThat(ARCHIVE).as("the archive from the package phase").isRegularFile();
        Process tar = new ProcessBuilder("tar", "-xzf", ARCHIVE.toAbsolutePath().toString(), "-C", unpacked.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as("tar: %s", out).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            List<Path> entries = top.toList();
            assertThat(entries).as("top-level entries of the archive").hasSize(1);
            home = entries.get(0);
        }
    }

    @Test
    void theArchiveHoldsTheLauncherConfigsUnitAndTheNativesOfBothPlatforms() throws IOException {
        assertThat(home.getFileName().toString()).startsWith("floe-trainer-");
        assertThat(home.resolve("bin/floe-trainer")).isExecutable();
        assertThat(home.resolve("conf")).isDirectoryContaining("glob:**/trainer.args.example")
                .isDirectoryContaining("glob:**/client.properties.example")
                .isDirectoryContaining("glob:**/log4j2.properties");
        assertThat(home.resolve("systemd/floe-trainer.service")).content()
                .contains("ExecStart=/opt/floe-trainer/bin/floe-trainer @/etc/floe/trainer.args");
        assertThat(home.resolve("README.txt")).isRegularFile();
        List<String> jars;
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String platform : List.of("linux-x86_64", "linux-arm64")) {
            assertThat(jars).as("natives for %s", platform)
                    .anyMatch(j -> j.matches("nd4j-native-.*-" + platform + "\\.jar"))
                    .anyMatch(j -> j.matches("openblas-.*-" + platform + "\\.jar"))
                    .anyMatch(j -> j.matches("javacpp-.*-" + platform + "\\.jar"));
        }
        assertThat(jars).as("the trainer needs none of the server side")
                .noneMatch(j -> j.startsWith("flink-") || j.startsWith("kafka_") || j.startsWith("floe-deploy"));
    }

    @Test
    void theLauncherPrintsTheTrainersUsage() throws Exception {
        Path log = unpacked.resolve("help.log");
        Process help = launcher("--help").redirectOutput(log.toFile()).start();

        assertThat(help.waitFor(60, TimeUnit.SECONDS)).as("--help finished").isTrue();
        assertThat(help.exitValue()).as("exit code; output: %s", Files.readString(log)).isZero();
        assertThat(Files.readString(log)).startsWith("Usage: floe-trainer ").contains("--bootstrap-servers", "--model-id");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void threeTrainerProcessesFromTheArchiveTrainThreeRoundsTogether() throws Exception {
        // Prepare: the server side, the model, and one CSV per site
        long started = System.nanoTime();
        List<Process> trainers = new ArrayList<>();
        List<String> clientIds = new ArrayList<>();
        Map<Long, AggregationReport> reports = new TreeMap<>();
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0")) {
            ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(),
                    ModelRegistration.spec(MODEL_ID, Architecture.parse("mlp(30,8,1)"), SEED,
                            AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(TRAINERS).build(),
                            ModelRegistration.training(0.1f, 1, 16)),
                    new Properties());
            List<Path> slices = WdbcSlices.write(WDBC, TRAINERS, unpacked.resolve("data"));

            try {
                // Execute: the trainers as processes of the unpacked launcher
                for (int i = 0; i < TRAINERS; i++) {
                    String clientId = String.format("gateway-%02d", i);
                    clientIds.add(clientId);
                    trainers.add(launcher("--bootstrap-servers", floe.bootstrapServers(), "--model-id", MODEL_ID,
                            "--client-id", clientId, "--data", slices.get(i).toString(), "--seed", String.valueOf(SEED + i),
                            "--max-rounds", String.valueOf(ROUNDS), "--state-dir", unpacked.resolve("state-" + i).toString())
                            .redirectOutput(log(i).toFile()).start());
                }
                awaitReports(floe, reports, trainers);

                // Assert: each round took all three updates, and each trainer stopped by itself after its last one
                assertThat(reports).containsOnlyKeys(1L, 2L, 3L);
                for (AggregationReport report : reports.values()) {
                    assertThat(report.getAccepted()).as("accepted for version %d", report.getVersion())
                            .extracting(AcceptedUpdate::getClientId).containsExactlyInAnyOrderElementsOf(clientIds);
                    assertThat(report.getRejected()).as("rejected for version %d", report.getVersion()).isEmpty();
                }
                for (int i = 0; i < TRAINERS; i++) {
                    Process p = trainers.get(i);
                    assertThat(p.waitFor(TRAINER_EXIT.toSeconds(), TimeUnit.SECONDS)).as("trainer %d exited; log:%n%s", i,
                            Files.readString(log(i))).isTrue();
                    assertThat(p.exitValue()).as("trainer %d exit code; log:%n%s", i, Files.readString(log(i))).isZero();
                    assertThat(Files.readString(log(i))).contains("sent update");
                }
                System.out.printf("[test] %d trainer processes from %s, %d rounds in %.1f s%n", TRAINERS,
                        ARCHIVE.getFileName(), ROUNDS, (System.nanoTime() - started) / 1e9);
            } finally {
                for (Process p : trainers) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Waits until versions 1 to {@link #ROUNDS} are published with their reports; fails early if a trainer died. */
    private static void awaitReports(EmbeddedFloe floe, Map<Long, AggregationReport> reports, List<Process> trainers)
            throws Exception {
        long deadline = System.nanoTime() + ALL_ROUNDS.toNanos();
        try (RoundObserver observer = new RoundObserver(floe.bootstrapServers(), floe.topics(), MODEL_ID)) {
            while (reports.size() < ROUNDS) {
                for (RoundObserver.PublishedVersion v : observer.poll(Duration.ofMillis(200))) {
                    if (v.model().getVersion() > 0) {
                        reports.put(v.model().getVersion(), v.report());
                    }
                }
                for (int i = 0; i < trainers.size(); i++) {
                    if (!trainers.get(i).isAlive() && trainers.get(i).exitValue() != 0) {
                        throw new AssertionError("trainer " + i + " exited with " + trainers.get(i).exitValue()
                                + "; log:\n" + Files.readString(log(i)));
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("versions published within " + ALL_ROUNDS + ": " + reports.keySet()
                            + " of 1.." + ROUNDS + ", job " + floe.jobStatus() + "; trainer 0's log:\n"
                            + Files.readString(log(0)));
                }
            }
        }
    }

    /**
     * The unpacked launcher with {@code args}, run by this JVM's Java runtime (JAVA_HOME) and no
     * inherited CLASSPATH; stderr joins stdout.
     */
    private static ProcessBuilder launcher(String... args) {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/floe-trainer").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(unpacked.toFile()).redirectErrorStream(true);
        pb.environment().remove("CLASSPATH");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // small heaps: three trainers, the broker and the MiniCluster share the machine
        pb.environment().put("JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb;
    }

    private static Path log(int trainer) {
        return unpacked.resolve("trainer-" + trainer + ".log");
    }
}
