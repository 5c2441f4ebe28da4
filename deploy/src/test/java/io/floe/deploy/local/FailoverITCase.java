package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.server.ModelVersions;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.core.spec.Architecture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real job, broker and trainers ride out infrastructure faults and keep exactly-once: each
 * test runs a federation of four WDBC hospitals (fedavg, four clients per round, {@value #ROUNDS}
 * rounds, the job at parallelism 2), injects one kind of fault while a round is open, lets
 * everything recover by itself and then checks what the job committed ({@link CommittedOutput}):
 * versions 0..{@value #ROUNDS} each published once, no update aggregated twice, every update
 * that reached the updates topic aggregated or turned away with a reason.
 *
 * <p>Each test prints how long recovery took (fault injected to all the job's tasks RUNNING, and
 * to the next version committed); {@link #printRecoveryTimes()} prints them together. The faults
 * strike the round on version {@value #FAULT_VERSION}: the first two hospitals' updates on it are
 * acknowledged, the other two are held back ({@link FailoverTrainers}' gate) until the fault is in.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FailoverITCase {
    private static final Path WDBC = Path.of("../data/wdbc/breast_cancer.csv");
    private static final long SEED = 42;
    private static final int HOSPITALS = 4;
    private static final int ROUNDS = 8;
    private static final long FAULT_VERSION = 3;
    private static final int PARALLELISM = 2;
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300);
    /** After half a round is acknowledged: a few checkpoints, so the half-full round is in one. */
    private static final Duration SETTLE = Duration.ofMillis(1000);
    /** Longer than the trainers' delivery timeout (3 s, {@link FailoverTrainers#shortProducerTimeouts()}). */
    private static final Duration BROKER_OUTAGE = Duration.ofSeconds(8);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ALL_ROUNDS = Duration.ofSeconds(120);

    private static HospitalsScenario scenario;
    private static final List<String> recoveryTimes = new CopyOnWriteArrayList<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void loadHospitalsAndWarmUp() throws Exception {
        scenario = HospitalsScenario.load(WDBC, HOSPITALS, SEED, 0.5, 0.6);
        // nd4j's start-up (seconds on a busy machine) should not sit inside the first test's rounds
        ModelSpec spec = spec("warm-up");
        new NetworkTraining("warm-up", scenario.hospitals().get(0), NetworkTraining.DEFAULT_VALIDATION_FRACTION, SEED)
                .train(ModelVersions.versionZero(spec, Architecture.parse(spec.getArchitecture()).initialWeights(SEED),
                        Instant.now()));
    }

    @AfterAll
    static void printRecoveryTimes() {
        System.out.println("[failover] recovery times (fault injected -> all tasks RUNNING / next version committed):");
        recoveryTimes.forEach(line -> System.out.println("[failover]   " + line));
    }

    /** (b) A TaskManager is lost mid-round and a new one joins: the job restarts by itself from its last checkpoint. */
    @Test
    void taskManagerLostMidRoundIsReplacedAndTheJobRecoversByItself() throws Exception {
        String modelId = "failover-taskmanager";
        try (FailoverRig rig = FailoverRig.start(tmp, PARALLELISM, CHECKPOINT_INTERVAL);
                VersionWatch published = committedVersions(rig, modelId)) {
            register(rig, modelId);
            List<ModelUpdate> acknowledged;
            try (FailoverTrainers trainers = trainers(rig, modelId, FAULT_VERSION)) {
                trainers.awaitHalfRound(STEP_TIMEOUT);
                Thread.sleep(SETTLE.toMillis());

                long faultAt = System.currentTimeMillis();
                rig.loseTaskManager();
                trainers.releaseGate();
                rig.replaceTaskManager();
                long nextVersionAt = awaitVersion(published, trainers, FAULT_VERSION + 1, STEP_TIMEOUT,
                        "after the TaskManager was replaced");
                recordRecovery("TaskManager lost mid-round, replaced at once", rig, faultAt, nextVersionAt);
                assertThat(rig.jobStatusSince(JobStatus.RESTARTING)).as("the job restarted after the fault").isGreaterThan(faultAt);

                awaitVersion(published, trainers, ROUNDS, ALL_ROUNDS, "after the fault");
                acknowledged = trainers.acknowledged();
                assertThat(trainers.died()).as("trainers that died").isEmpty();
            }
            CommittedOutput.read(rig.bootstrapServers(), rig.topics(), modelId).assertExactlyOnce(ROUNDS, acknowledged);
            assertThat(rig.jobStatus()).isEqualTo("RUNNING");
        }
    }

    /**
     * (c) The broker stops mid-round for longer than the trainers' delivery timeout and comes back
     * with its data: the held-back trainers' publishes wait through the outage and land, the job's
     * pending sink transaction survives (the broker allows the sink's transaction timeout), rounds go on.
     */
    @Test
    void brokerDownLongerThanTheTrainersTimeoutsComesBackAndEveryoneCarriesOn() throws Exception {
        String modelId = "failover-broker";
        try (FailoverRig rig = FailoverRig.start(tmp, PARALLELISM, CHECKPOINT_INTERVAL);
                VersionWatch published = committedVersions(rig, modelId)) {
            register(rig, modelId);
            List<ModelUpdate> acknowledged;
            try (FailoverTrainers trainers = trainers(rig, modelId, FAULT_VERSION)) {
                trainers.awaitHalfRound(STEP_TIMEOUT);
                Thread.sleep(SETTLE.toMillis());

                long faultAt = System.currentTimeMillis();
                rig.stopBroker();
                trainers.releaseGate();
                Thread.sleep(BROKER_OUTAGE.toMillis());
                long acknowledgedDuringOutage = trainers.acknowledgedOn(FAULT_VERSION) - HOSPITALS / 2;
                long backAt = System.currentTimeMillis();
                rig.restartBroker();
                long restartedIn = System.currentTimeMillis() - backAt;
                long nextVersionAt = awaitVersion(published, trainers, FAULT_VERSION + 1, STEP_TIMEOUT,
                        "after the broker came back");
                recordRecovery(String.format("broker down %d s mid-round (restart took %d ms)",
                        BROKER_OUTAGE.toSeconds(), restartedIn), rig, faultAt, nextVersionAt);
                recoveryTimes.add(String.format("%-52s next version %6d ms after the broker was back", "",
                        nextVersionAt - backAt));

                awaitVersion(published, trainers, ROUNDS, ALL_ROUNDS, "after the fault");
                acknowledged = trainers.acknowledged();
                assertThat(acknowledgedDuringOutage).as("updates acknowledged while the broker was down").isZero();
                assertThat(trainers.died()).as("trainers that died").isEmpty();
            }
            CommittedOutput.read(rig.bootstrapServers(), rig.topics(), modelId).assertExactlyOnce(ROUNDS, acknowledged);
            assertThat(rig.jobStatus()).isEqualTo("RUNNING");
        }
    }

    /**
     * (d) The job is stopped with a savepoint while a round is half full; the round's other half
     * lands while it is away; the same pipeline, submitted from the savepoint, finishes the round.
     */
    @Test
    void jobStoppedWithASavepointMidRoundResumesFromIt() throws Exception {
        String modelId = "failover-savepoint";
        try (FailoverRig rig = FailoverRig.start(tmp, PARALLELISM, CHECKPOINT_INTERVAL);
                VersionWatch published = committedVersions(rig, modelId)) {
            register(rig, modelId);
            List<ModelUpdate> acknowledged;
            try (FailoverTrainers trainers = trainers(rig, modelId, FAULT_VERSION)) {
                trainers.awaitHalfRound(STEP_TIMEOUT);
                Thread.sleep(SETTLE.toMillis());

                long stopAt = System.currentTimeMillis();
                String savepoint = rig.stopWithSavepoint();
                long stoppedIn = System.currentTimeMillis() - stopAt;
                trainers.releaseGate();
                awaitAcknowledged(trainers, FAULT_VERSION, HOSPITALS);
                assertThat(published.newest()).as("newest version while the job was stopped").isEqualTo(FAULT_VERSION);

                long resumeAt = System.currentTimeMillis();
                rig.resumeFrom(savepoint);
                long nextVersionAt = awaitVersion(published, trainers, FAULT_VERSION + 1, STEP_TIMEOUT,
                        "after the job resumed");
                recordRecovery(String.format("job resumed from a savepoint (stop took %d ms)", stoppedIn), rig, resumeAt,
                        nextVersionAt);

                awaitVersion(published, trainers, ROUNDS, ALL_ROUNDS, "after the job resumed");
                acknowledged = trainers.acknowledged();
                assertThat(trainers.died()).as("trainers that died").isEmpty();
            }
            CommittedOutput.read(rig.bootstrapServers(), rig.topics(), modelId).assertExactlyOnce(ROUNDS, acknowledged);
            assertThat(rig.jobStatus()).isEqualTo("RUNNING");
        }
    }

    /**
     * (a) A TaskManager is lost the moment a new version is written, before the checkpoint that
     * commits it: the sink's transaction is aborted, so read_committed readers see only what the
     * last completed checkpoint committed, and the version the recovered job publishes from that
     * checkpoint is the same, byte for byte, as the aborted one.
     *
     * <p>Checkpoints every second here, so that the uncommitted version is almost always still open
     * when the fault strikes; the fault is injected on three versions and at least one must have
     * hit an open transaction.
     */
    @Test
    void taskManagerLostBeforeAVersionIsCommittedLeavesOnlyTheCheckpointedOutput() throws Exception {
        String modelId = "failover-uncommitted";
        List<Long> faultVersions = List.of(2L, 4L, 6L);
        try (FailoverRig rig = FailoverRig.start(tmp, PARALLELISM, Duration.ofSeconds(1));
                VersionWatch published = committedVersions(rig, modelId);
                VersionWatch written = new VersionWatch(rig.bootstrapServers(), rig.topics().models(), modelId,
                        "read_uncommitted")) {
            register(rig, modelId);
            List<ModelUpdate> acknowledged;
            try (FailoverTrainers trainers = trainers(rig, modelId, -1)) {
                for (long v : faultVersions) {
                    awaitVersion(written, trainers, v, ALL_ROUNDS, "written by the sink");
                    long faultAt = System.currentTimeMillis();
                    rig.loseTaskManager();
                    rig.replaceTaskManager();
                    long committedAt = awaitVersion(published, trainers, v, STEP_TIMEOUT,
                            "after the TaskManager was replaced");
                    recordRecovery(String.format("TaskManager lost as version %d was written", v), rig, faultAt,
                            committedAt);
                }
                awaitVersion(published, trainers, ROUNDS, ALL_ROUNDS, "after the faults");
                acknowledged = trainers.acknowledged();
                assertThat(trainers.died()).as("trainers that died").isEmpty();
            }
            CommittedOutput.read(rig.bootstrapServers(), rig.topics(), modelId).assertExactlyOnce(ROUNDS, acknowledged);

            List<Long> hitOpenTransaction = new ArrayList<>();
            for (long v : faultVersions) {
                List<byte[]> copies = written.copies(v);
                if (copies.size() > 1) {
                    hitOpenTransaction.add(v);
                    assertThat(copies).as("the aborted and the recommitted record of version %d", v)
                            .allSatisfy(c -> assertThat(c).isEqualTo(copies.get(0)));
                }
            }
            System.out.printf("[failover] faults that aborted an uncommitted version: %s of %s%n", hitOpenTransaction,
                    faultVersions);
            assertThat(hitOpenTransaction).as("fault versions whose first record was aborted").isNotEmpty();
        }
    }

    private static VersionWatch committedVersions(FailoverRig rig, String modelId) {
        return new VersionWatch(rig.bootstrapServers(), rig.topics().models(), modelId, "read_committed");
    }

    private static ModelSpec spec(String modelId) {
        return ModelRegistration.spec(modelId, Architecture.parse("mlp(30,16,1)"), SEED,
                AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(HOSPITALS).build(),
                ModelRegistration.training(0.1f, 1, 16));
    }

    private static void register(FailoverRig rig, String modelId) throws Exception {
        ModelRegistration.publish(rig.bootstrapServers(), rig.topics().control(), spec(modelId), new Properties());
    }

    private static FailoverTrainers trainers(FailoverRig rig, String modelId, long gateVersion) {
        return FailoverTrainers.start(rig.bootstrapServers(), rig.topics(), modelId, scenario.hospitals(), SEED, ROUNDS,
                gateVersion);
    }

    /**
     * Waits until {@code watch} has seen {@code version} and returns when it first did; fails at
     * once when a trainer died (a federation that lost a site never reaches the next version).
     */
    private static long awaitVersion(VersionWatch watch, FailoverTrainers trainers, long version, Duration timeout,
            String context) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (watch.firstSeen(version) < 0) {
            assertThat(trainers.died()).as("trainers that died before version %d %s", version, context).isEmpty();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("version " + version + " not seen within " + timeout + " " + context
                        + "; newest seen: " + watch.newest());
            }
            Thread.sleep(20);
        }
        return watch.firstSeen(version);
    }

    private static void awaitAcknowledged(FailoverTrainers trainers, long baseVersion, int count) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (trainers.acknowledgedOn(baseVersion) < count) {
            assertThat(System.nanoTime()).as("%d updates on version %d acknowledged; died: %s", count, baseVersion,
                    trainers.died()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * Prints and keeps one fault's recovery: when the last of the job's tasks was RUNNING again
     * (from the job's execution graph; "no restart" when they had run since before the fault) and
     * when the next version was committed.
     */
    private static void recordRecovery(String fault, FailoverRig rig, long faultAt, long nextVersionAt) throws Exception {
        long tasksRunningSince = rig.allTasksRunningSince();
        String running = tasksRunningSince < 0 ? "tasks not all RUNNING"
                : tasksRunningSince <= faultAt ? "no restart" : String.format("%6d ms", tasksRunningSince - faultAt);
        String line = String.format("%-52s all tasks RUNNING %s, next version %6d ms", fault, running,
                nextVersionAt - faultAt);
        System.out.println("[failover] " + line);
        recoveryTimes.add(line);
    }
}
