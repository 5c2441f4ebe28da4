package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.server.ModelVersions;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.core.spec.Architecture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Trainers die mid-round and the synchronous rounds still close at their deadlines; a round that
 * falls below minFitClients extends and reports instead of hanging, and closes once a restarted
 * trainer brings it back to quorum.
 *
 * <p>One model, four WDBC hospitals, {@code clientsPerRound 4}, {@code minFitClients 2}, a
 * {@value #DEADLINE_MS} ms round deadline from version 1 on, the job at parallelism 2:
 * <ol>
 *   <li>round on version 0 (under a long deadline, see {@link #FIRST_ROUND_DEADLINE_MS}): all four
 *       train, the round closes at four updates;
 *   <li>round on version 1: hospital-02 and hospital-03 are killed while training (loop stopped,
 *       Kafka clients closed, thread interrupted; they never publish); the round closes at its
 *       deadline with the two survivors;
 *   <li>round on version 2: hospital-01 is killed the same way; hospital-00 alone is below quorum,
 *       so at the deadline an EXTENDED report goes out and no version; then hospital-03 restarts
 *       (same client id, fresh loop and clients) and the round closes at its extended deadline.
 * </ol>
 *
 * <p>The run happens once in {@link #runWithDropouts()}; each test checks one property of what it
 * left on the topics, read back with fresh read_committed consumers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TrainerDropoutITCase {
    private static final String MODEL_ID = "dropout-it";
    private static final Path WDBC = Path.of("../data/wdbc/breast_cancer.csv");
    private static final long SEED = 42;
    private static final int HOSPITALS = 4;
    private static final int MIN_FIT_CLIENTS = 2;
    private static final long DEADLINE_MS = 4000;
    /** Round 0's deadline, far beyond any run: round 0 only has to get every site through one round. */
    private static final long FIRST_ROUND_DEADLINE_MS = 120_000;
    /** Slack for comparing the job's clock readings (record timestamps vs processing time). */
    private static final long CLOCK_SLACK_MS = 100;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedFloe floe;
    /** Newest committed version seen on the models topic once the first EXTENDED report was visible. */
    private static long newestVersionWhenExtended = -1;
    private static Map<Long, List<GlobalModel>> modelsByVersion;
    private static Map<Long, List<AggregationReport>> reportsByVersion;
    /** "clientId@baseVersion" of every update on the updates topic. */
    private static List<String> updatesOnTheWire;

    @BeforeAll
    static void runWithDropouts() throws Exception {
        long started = System.nanoTime();
        HospitalsScenario scenario = HospitalsScenario.load(WDBC, HOSPITALS, SEED, 0.5, 0.6);
        floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0");
        progress(started, "broker and job started");
        Architecture architecture = Architecture.parse("mlp(30,16,1)");
        AggregationConfig aggregation = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(HOSPITALS)
                .setRoundDeadlineMs(FIRST_ROUND_DEADLINE_MS).setMinFitClients(MIN_FIT_CLIENTS).build();
        ModelSpec spec = ModelRegistration.spec(MODEL_ID, architecture, SEED, aggregation,
                ModelRegistration.training(0.1f, 1, 16));
        ModelSpec reconfigured = ModelSpec.newBuilder(spec)
                .setAggregation(AggregationConfig.newBuilder(aggregation).setRoundDeadlineMs(DEADLINE_MS).build())
                .build();
        // nd4j's start-up must not eat round 0's deadline: train once off the wire first
        new NetworkTraining("warm-up", scenario.hospitals().get(0), NetworkTraining.DEFAULT_VALIDATION_FRACTION, SEED)
                .train(ModelVersions.versionZero(spec, architecture.initialWeights(SEED), Instant.now()));
        progress(started, "warmed up");

        List<SiteTrainer> trainers = new ArrayList<>();
        try {
            SiteTrainer h0 = SiteTrainer.start(floe, MODEL_ID, "hospital-00", scenario.hospitals().get(0), SEED, -1, 3);
            SiteTrainer h1 = SiteTrainer.start(floe, MODEL_ID, "hospital-01", scenario.hospitals().get(1), SEED + 1, 2, 0);
            SiteTrainer h2 = SiteTrainer.start(floe, MODEL_ID, "hospital-02", scenario.hospitals().get(2), SEED + 2, 1, 0);
            SiteTrainer h3 = SiteTrainer.start(floe, MODEL_ID, "hospital-03", scenario.hospitals().get(3), SEED + 3, 1, 0);
            trainers.addAll(List.of(h0, h1, h2, h3));
            // Four first trainings on two busy cores can take seconds, so round 0 runs under a long
            // deadline; the reconfiguration right behind the spec leaves round 0's pending deadline
            // as it is and applies DEADLINE_MS from the round on version 1.
            ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(), spec, new Properties());
            ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(), reconfigured, new Properties());

            // round on version 1: two sites die while they train
            assertThat(h2.stalledOn(STEP_TIMEOUT).getVersion()).isEqualTo(1);
            assertThat(h3.stalledOn(STEP_TIMEOUT).getVersion()).isEqualTo(1);
            h2.kill();
            h3.kill();
            progress(started, "hospital-02 and hospital-03 killed training on version 1");

            // round on version 2: a third dies, one site is left, below minFitClients
            assertThat(h1.stalledOn(STEP_TIMEOUT).getVersion()).isEqualTo(2);
            h1.kill();
            progress(started, "hospital-01 killed training on version 2");
            awaitReport(r -> r.getVersion() == 3 && "EXTENDED".equals(r.getStatus()), "an EXTENDED report for version 3");
            newestVersionWhenExtended = readModels().keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
            progress(started, "round on version 2 extended");

            // hospital-03 comes back: same client id, a fresh process
            SiteTrainer h3Again = SiteTrainer.start(floe, MODEL_ID, "hospital-03", scenario.hospitals().get(3), SEED + 3, -1, 1);
            trainers.add(h3Again);
            awaitReport(r -> r.getVersion() == 3 && "PUBLISHED".equals(r.getStatus()), "version 3's report");
        } finally {
            for (SiteTrainer t : trainers) {
                t.kill();
            }
        }
        modelsByVersion = readModels();
        reportsByVersion = readCommitted(floe.topics().reports()).stream()
                .map(r -> WireCodec.AGGREGATION_REPORT.decode(r.value()))
                .filter(r -> MODEL_ID.equals(r.getModelId()))
                .collect(Collectors.groupingBy(AggregationReport::getVersion, TreeMap::new, Collectors.toList()));
        List<ModelUpdate> updates = readCommitted(floe.topics().updates()).stream()
                .map(r -> WireCodec.MODEL_UPDATE.decode(r.value()))
                .toList();
        updatesOnTheWire = updates.stream().map(u -> u.getClientId() + "@" + u.getBaseVersion()).toList();
        // how much of each round's deadline the trainers used: the margin this test runs on
        for (GlobalModel m : modelsByVersion.values().stream().map(l -> l.get(0)).toList()) {
            updates.stream().filter(u -> u.getBaseVersion() == m.getVersion())
                    .mapToLong(u -> u.getCreatedAt().toEpochMilli() - m.getCreatedAt().toEpochMilli()).max()
                    .ifPresent(ms -> System.out.printf("[test] last update on version %d made %d ms after it%n",
                            m.getVersion(), ms));
        }
        progress(started, "topics read back");
    }

    private static void progress(long startedNanos, String step) {
        System.out.printf("[test] %5.1f s %s%n", (System.nanoTime() - startedNanos) / 1e9, step);
    }

    @AfterAll
    static void stopFloe() throws Exception {
        if (floe != null) {
            floe.close();
        }
    }

    @Test
    void killedTrainersNeverPublishForTheRoundTheyDiedIn() {
        assertThat(updatesOnTheWire).containsExactlyInAnyOrder(
                "hospital-00@0", "hospital-01@0", "hospital-02@0", "hospital-03@0",
                "hospital-00@1", "hospital-01@1",
                "hospital-00@2", "hospital-03@2");
    }

    @Test
    void everyVersionIsPublishedOnceAndTheJobKeepsRunning() throws Exception {
        assertThat(modelsByVersion).containsOnlyKeys(0L, 1L, 2L, 3L);
        assertThat(modelsByVersion.values()).allSatisfy(copies -> assertThat(copies).hasSize(1));
        assertThat(floe.jobStatus()).isEqualTo("RUNNING");
    }

    @Test
    void roundWithEveryoneAliveClosesAtClientsPerRoundBeforeItsDeadline() {
        AggregationReport report = published(1);
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId)
                .containsExactlyInAnyOrder("hospital-00", "hospital-01", "hospital-02", "hospital-03");
        assertThat(report.getNote()).doesNotContain("deadline");
        assertThat(reportsByVersion.get(1L)).as("no extension of round 0").hasSize(1);
    }

    @Test
    void roundWithKilledTrainersClosesAtItsDeadlineWithTheSurvivors() {
        AggregationReport report = published(2);
        assertThat(reportsByVersion.get(2L)).as("round on version 1 had quorum: no extension").hasSize(1);
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId)
                .containsExactlyInAnyOrder("hospital-00", "hospital-01");
        assertThat(model(2).getProvenance().getUpdateIds())
                .containsExactlyInAnyOrderElementsOf(report.getAccepted().stream().map(AcceptedUpdate::getUpdateId).toList());
        assertThat(report.getNote()).contains("closed at its deadline " + model(2).getCreatedAt())
                .contains("with 2 accepted of clientsPerRound 4 (minFitClients 2)");
        // neither early (it did not close at the survivors' updates) nor late (it did not wait for the dead)
        assertThat(millisBetween(model(1), model(2))).isBetween(DEADLINE_MS - CLOCK_SLACK_MS, 2 * DEADLINE_MS - 1);
    }

    @Test
    void roundBelowQuorumExtendsAndPublishesNothing() {
        List<AggregationReport> extensions = extensions(3);
        assertThat(extensions).isNotEmpty().allSatisfy(r -> {
            assertThat(r.getBaseVersion()).isEqualTo(2);
            assertThat(r.getAccepted()).isEmpty();
            assertThat(r.getNote()).contains("extended to ");
        });
        assertThat(extensions.get(0).getNote())
                .contains("passed with 1 of minFitClients 2 updates accepted on version 2");
        assertThat(newestVersionWhenExtended).as("newest version once the round was extended").isEqualTo(2);
        assertThat(millisBetween(model(2), extensions.get(0))).isGreaterThanOrEqualTo(DEADLINE_MS - CLOCK_SLACK_MS);
        assertThat(extensions).allSatisfy(r -> assertThat(r.getCreatedAt()).isBefore(model(3).getCreatedAt()));
    }

    @Test
    void restartedTrainerBringsTheExtendedRoundToQuorumAndItClosesAtItsExtendedDeadline() {
        AggregationReport report = published(3);
        assertThat(report.getAccepted()).extracting(AcceptedUpdate::getClientId)
                .containsExactlyInAnyOrder("hospital-00", "hospital-03");
        List<AggregationReport> extensions = extensions(3);
        assertThat(extensions).isNotEmpty();
        String lastNote = extensions.get(extensions.size() - 1).getNote();
        String extendedTo = lastNote.substring(lastNote.lastIndexOf("extended to ") + "extended to ".length());
        assertThat(model(3).getCreatedAt()).isEqualTo(Instant.parse(extendedTo));
        assertThat(report.getNote()).contains("closed at its deadline " + extendedTo)
                .contains("with 2 accepted of clientsPerRound 4");
    }

    private static GlobalModel model(long version) {
        assertThat(modelsByVersion).containsKey(version);
        return modelsByVersion.get(version).get(0);
    }

    /** The one PUBLISHED report of {@code version}. */
    private static AggregationReport published(long version) {
        assertThat(reportsByVersion).containsKey(version);
        List<AggregationReport> published = reportsByVersion.get(version).stream()
                .filter(r -> "PUBLISHED".equals(r.getStatus())).toList();
        assertThat(published).as("PUBLISHED reports of version %d", version).hasSize(1);
        assertThat(published.get(0).getBaseVersion()).isEqualTo(version - 1);
        return published.get(0);
    }

    /** The EXTENDED reports of {@code version}, in the order they were published. */
    private static List<AggregationReport> extensions(long version) {
        assertThat(reportsByVersion).containsKey(version);
        return reportsByVersion.get(version).stream().filter(r -> "EXTENDED".equals(r.getStatus())).toList();
    }

    private static long millisBetween(GlobalModel from, GlobalModel to) {
        return to.getCreatedAt().toEpochMilli() - from.getCreatedAt().toEpochMilli();
    }

    private static long millisBetween(GlobalModel from, AggregationReport to) {
        return to.getCreatedAt().toEpochMilli() - from.getCreatedAt().toEpochMilli();
    }

    /** Polls the committed reports until one matches; fails after {@link #STEP_TIMEOUT}. */
    private static void awaitReport(Predicate<AggregationReport> wanted, String what) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (readCommitted(floe.topics().reports()).stream()
                .map(r -> WireCodec.AGGREGATION_REPORT.decode(r.value()))
                .noneMatch(r -> MODEL_ID.equals(r.getModelId()) && wanted.test(r))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not published within " + STEP_TIMEOUT + "; job " + floe.jobStatus());
            }
            Thread.sleep(200);
        }
    }

    private static Map<Long, List<GlobalModel>> readModels() {
        return readCommitted(floe.topics().models()).stream()
                .filter(r -> r.key() != null && MODEL_ID.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(r -> WireCodec.GLOBAL_MODEL.decode(r.value()))
                .collect(Collectors.groupingBy(GlobalModel::getVersion, TreeMap::new, Collectors.toList()));
    }

    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return CommittedRecords.read(floe.bootstrapServers(), topic, READ_TIMEOUT);
    }
}
