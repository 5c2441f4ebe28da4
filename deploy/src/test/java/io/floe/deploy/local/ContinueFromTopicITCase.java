package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.core.spec.Architecture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A job that starts without state over an existing deployment: three trainers and the job run
 * three rounds, the job is cancelled without a savepoint and a fresh job (same broker, topics and
 * consumer group, no state) is submitted; it continues from the models topic's newest version, so
 * the trainers, which already hold that version, keep training and versions stay contiguous with
 * none published twice and no second version 0. The restart comes after the job has taken the
 * trainers' updates on the newest version into its open round and committed offsets past them, so
 * the fresh job must read those updates again.
 */
class ContinueFromTopicITCase {
    private static final String MODEL_ID = "wdbc-continue";
    private static final Path WDBC = Path.of("../data/wdbc/breast_cancer.csv");
    private static final int TRAINERS = 3;
    private static final int BEFORE = 3;
    private static final int AFTER = 6;
    private static final long SEED = 42;
    private static final Duration CHECKPOINTS = Duration.ofMillis(300);

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aFreshJobWithoutStateContinuesFromTheNewestPublishedVersion() throws Exception {
        long started = System.nanoTime();
        HospitalsScenario scenario = HospitalsScenario.load(WDBC, TRAINERS, SEED, 0.5, 0.6);
        List<TrainerLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<AutoCloseable> clients = new ArrayList<>();
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, CHECKPOINTS, "0")) {
            ModelSpec spec = ModelRegistration.spec(MODEL_ID, Architecture.parse("mlp(30,16,1)"), SEED,
                    AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(TRAINERS).build(),
                    ModelRegistration.training(0.1f, 2, 16));
            ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(), spec, new Properties());
            try (RoundObserver observer = new RoundObserver(floe.bootstrapServers(), floe.topics(), MODEL_ID)) {
                for (int i = 0; i < TRAINERS; i++) {
                    String clientId = String.format("hospital-%02d", i);
                    GlobalModelFollower follower = new GlobalModelFollower(floe.bootstrapServers(), floe.topics().models(),
                            MODEL_ID, new Properties());
                    clients.add(follower);
                    UpdatePublisher publisher = new UpdatePublisher(floe.bootstrapServers(), floe.topics().updates(), new Properties());
                    clients.add(publisher);
                    TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, new NetworkTraining(clientId,
                            scenario.hospitals().get(i), NetworkTraining.DEFAULT_VALIDATION_FRACTION, SEED + i), 0, u -> { });
                    loops.add(loop);
                    Thread t = new Thread(loop, "trainer-" + clientId);
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                }
                awaitVersion(observer, BEFORE, Duration.ofSeconds(120));
                JobID first = floe.jobId();
                // let the trainers send their updates on the newest version and the job take them into its
                // open round and checkpoint (committing offsets past them): the fresh job must read them again
                Thread.sleep(3000);

                // Execute: the checkpoints are lost; a fresh job over the same topics and group
                JobID fresh = floe.restartWithoutState(CHECKPOINTS, 2, true);
                assertThat(fresh).isNotEqualTo(first);
                awaitVersion(observer, AFTER, Duration.ofSeconds(150));
                // seen once as INITIALIZING right after version 6 (not understood yet); what matters is that it did not stop
                assertThat(floe.jobStatus()).as("the fresh job").isNotIn("FAILED", "CANCELED", "FINISHED");
            } finally {
                loops.forEach(TrainerLoop::stop);
                for (Thread t : threads) {
                    t.join(10_000);
                }
                for (AutoCloseable c : clients) {
                    c.close();
                }
            }

            // Assert: versions contiguous, each published once, one report each
            Map<Long, List<GlobalModel>> models = CommittedRecords.read(floe.bootstrapServers(), floe.topics().models(),
                    Duration.ofSeconds(30)).stream()
                    .filter(r -> r.key() != null && MODEL_ID.equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .map(r -> WireCodec.GLOBAL_MODEL.decode(r.value()))
                    .collect(Collectors.groupingBy(GlobalModel::getVersion, TreeMap::new, Collectors.toList()));
            Map<Long, List<AggregationReport>> reports = CommittedRecords.read(floe.bootstrapServers(), floe.topics().reports(),
                    Duration.ofSeconds(30)).stream()
                    .map(r -> WireCodec.AGGREGATION_REPORT.decode(r.value()))
                    .filter(r -> MODEL_ID.equals(r.getModelId()))
                    .collect(Collectors.groupingBy(AggregationReport::getVersion, TreeMap::new, Collectors.toList()));
            long newest = ((TreeMap<Long, List<GlobalModel>>) models).lastKey();
            assertThat(newest).isGreaterThanOrEqualTo(AFTER);
            Set<Long> contiguous = new TreeSet<>();
            for (long v = 0; v <= newest; v++) {
                contiguous.add(v);
            }
            assertThat(models.keySet()).containsExactlyElementsOf(contiguous);
            assertThat(models.values()).allSatisfy(copies -> assertThat(copies).as("copies of one version").hasSize(1));
            for (long v = 1; v <= newest; v++) {
                assertThat(models.get(v).get(0).getProvenance().getParentVersion()).isEqualTo(v - 1);
            }
            assertThat(reports.keySet()).containsAll(contiguous);
            assertThat(reports.values()).allSatisfy(rs -> assertThat(rs).as("reports of one version").hasSize(1));
            assertThat(reports.get(0L).get(0).getStatus()).isEqualTo("CREATED");
            for (long v = BEFORE + 1; v <= AFTER; v++) {
                assertThat(reports.get(v).get(0).getAccepted()).as("round on version %d, after the restart", v - 1)
                        .extracting(AcceptedUpdate::getClientId).hasSize(TRAINERS).doesNotHaveDuplicates();
            }
            System.out.printf("[test] %d versions across a stateless restart in %.1f s%n", newest,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    private static void awaitVersion(RoundObserver observer, long version, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = -1;
        while (seen < version) {
            assertThat(System.nanoTime()).as("version %d within %s (saw %d)", version, timeout, seen).isLessThan(deadline);
            for (RoundObserver.PublishedVersion v : observer.poll(Duration.ofMillis(500))) {
                seen = v.model().getVersion();
            }
        }
    }
}
