package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The loop with in-memory versions and sinks: selection decides which versions a client trains on. */
class TrainerLoopTest {

    @Test
    void clientTrainsOnlyOnVersionsThatSelectItOrEveryone() {
        // Prepare: v0 asks everyone, v1 asks others, v2 asks alice among others
        VersionList versions = new VersionList(List.of(
                version(0, null), version(1, List.of("bob", "carol")), version(2, List.of("alice", "bob"))));
        List<Long> trainedOn = new ArrayList<>();
        List<ModelUpdate> sent = new ArrayList<>();
        LocalTraining training = base -> {
            trainedOn.add(base.getVersion());
            return update(base.getVersion());
        };
        TrainerLoop loop = new TrainerLoop("alice", versions, sent::add, training, 2, u -> { });

        // Execute
        loop.run();

        // Assert: version 1 was seen and skipped, not trained on
        assertThat(trainedOn).containsExactly(0L, 2L);
        assertThat(sent).extracting(ModelUpdate::getBaseVersion).containsExactly(0L, 2L);
        assertThat(loop.versionsNotSelected()).isEqualTo(1);
        assertThat(loop.lastTrainedVersion()).isEqualTo(2L);
    }

    @Test
    void heartbeatsStartWithTheLoopAndStopWithIt() throws Exception {
        // Prepare
        AtomicInteger beats = new AtomicInteger();
        VersionList versions = new VersionList(List.of(version(0, null)));
        LocalTraining slowTraining = base -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return update(base.getVersion());
        };
        TrainerLoop loop = new TrainerLoop("alice", versions, u -> { }, slowTraining, 1, u -> { },
                beats::incrementAndGet, Duration.ofMillis(10));

        // Execute
        loop.run();

        // Assert: one at start and more while training; none after the loop returned
        int atReturn = beats.get();
        assertThat(atReturn).isGreaterThanOrEqualTo(2);
        Thread.sleep(50);
        assertThat(beats.get()).isEqualTo(atReturn);
    }

    @Test
    void stopEndsAPublishThatWaitsForTheBroker() throws Exception {
        // Prepare: a sink that waits, as UpdatePublisher does while the broker is away
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch stopAsked = new CountDownLatch(1);
        UpdateSink waitingSink = new UpdateSink() {
            @Override
            public void send(ModelUpdate update) throws InterruptedException {
                waiting.countDown();
                if (!stopAsked.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("stopRetrying() never came");
                }
                throw new PublishRetry.StoppedException("update " + update.getUpdateId(), 3);
            }

            @Override
            public void stopRetrying() {
                stopAsked.countDown();
            }
        };
        List<ModelUpdate> published = new ArrayList<>();
        TrainerLoop loop = new TrainerLoop("alice", new VersionList(List.of(version(0, null))), waitingSink,
                base -> update(base.getVersion()), 0, published::add);
        Thread running = new Thread(loop);
        running.start();
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();

        // Execute
        loop.stop();
        running.join(5_000);

        // Assert: the loop returned without counting the unacknowledged update
        assertThat(running.isAlive()).isFalse();
        assertThat(loop.rounds()).isZero();
        assertThat(published).isEmpty();
    }

    @Test
    void rejectsANonPositiveHeartbeatInterval() {
        assertThatThrownBy(() -> new TrainerLoop("alice", new VersionList(List.of()), u -> { }, b -> null, 1, u -> { },
                Heartbeat.NONE, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatInterval");
    }

    /** Serves fixed versions in order, each once it is newer than what the loop asks after. */
    private record VersionList(List<GlobalModel> versions) implements GlobalModelSource {
        @Override
        public Optional<GlobalModel> awaitNewerThan(long afterVersion, Duration timeout) {
            return versions.stream().filter(v -> v.getVersion() > afterVersion).findFirst();
        }
    }

    private static GlobalModel version(long v, List<String> selection) {
        return GlobalModel.newBuilder()
                .setModelId("m")
                .setVersion(v)
                .setCreatedAt(Instant.EPOCH)
                .setArchitecture("logreg(2)")
                .setTensors(List.of())
                .setTraining(ClientTrainingConfig.newBuilder().build())
                .setSelection(selection)
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(v - 1).setUpdateIds(List.of()).build())
                .build();
    }

    private static ModelUpdate update(long baseVersion) {
        return ModelUpdate.newBuilder()
                .setUpdateId("u-" + baseVersion)
                .setModelId("m")
                .setClientId("alice")
                .setBaseVersion(baseVersion)
                .setNumExamples(1)
                .setCreatedAt(Instant.EPOCH)
                .setTensors(List.of())
                .setMetrics(Map.of())
                .build();
    }
}
