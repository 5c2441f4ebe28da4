package io.floe.deploy.local;

import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.LocalTraining;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.trainer.data.Dataset;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.InterruptException;

/**
 * One trainer site run as it would be in its own process (its own follower, publisher and
 * {@link TrainerLoop} thread), which a test can kill in the middle of a round: {@link #kill()}
 * stops the loop, closes its Kafka clients and interrupts its thread, as a crash would leave it.
 *
 * <p>With {@code stallAtVersion >= 0} the site hangs when it starts training on that version (a
 * training that would never finish), so the test can kill it while it is known to be mid-round;
 * it never publishes an update for that version.
 */
final class SiteTrainer {
    private final String clientId;
    private final GlobalModelFollower follower;
    private final UpdatePublisher publisher;
    private final StallingTraining training;
    private final TrainerLoop loop;
    private final Thread thread;
    private boolean killed;

    private SiteTrainer(String clientId, GlobalModelFollower follower, UpdatePublisher publisher, StallingTraining training,
            TrainerLoop loop) {
        this.clientId = clientId;
        this.follower = follower;
        this.publisher = publisher;
        this.training = training;
        this.loop = loop;
        this.thread = new Thread(loop, "trainer-" + clientId);
        this.thread.setDaemon(true);
    }

    /**
     * Starts a site training a {@link NetworkTraining} on {@code data}.
     *
     * @param stallAtVersion the version on which the site hangs in training, or -1
     * @param maxRounds updates to publish before the loop returns, {@code <= 0} for no limit
     */
    static SiteTrainer start(EmbeddedFloe floe, String modelId, String clientId, Dataset data, long seed, long stallAtVersion,
            int maxRounds) {
        GlobalModelFollower follower = new GlobalModelFollower(floe.bootstrapServers(), floe.topics().models(), modelId,
                new Properties());
        UpdatePublisher publisher = new UpdatePublisher(floe.bootstrapServers(), floe.topics().updates(), new Properties());
        StallingTraining training = new StallingTraining(
                new NetworkTraining(clientId, data, NetworkTraining.DEFAULT_VALIDATION_FRACTION, seed), stallAtVersion);
        TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, training, maxRounds, u -> { });
        SiteTrainer site = new SiteTrainer(clientId, follower, publisher, training, loop);
        site.thread.start();
        return site;
    }

    /** Waits until the site hangs in training and returns the version it hangs on. */
    GlobalModel stalledOn(Duration timeout) throws Exception {
        try {
            return training.stalled.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(clientId + " did not start training on version " + training.stallAtVersion
                    + " within " + timeout + "; it trained " + loop.rounds() + " rounds, last on version "
                    + loop.lastTrainedVersion(), e);
        }
    }

    /** Kills the site: its connections drop, its thread ends; idempotent. */
    void kill() throws InterruptedException {
        if (killed) {
            return;
        }
        killed = true;
        loop.stop();
        boolean midRound = training.stalled.isDone();
        if (midRound) {
            // the thread is inside training and touches neither client: its connections drop first
            closeClients();
        }
        thread.interrupt();
        thread.join(10_000);
        if (thread.isAlive()) {
            throw new AssertionError(clientId + "'s trainer thread did not end");
        }
        if (!midRound) {
            closeClients();
        }
    }

    private void closeClients() {
        follower.close();
        publisher.close();
    }

    /** Trains as {@code inner}, except that on {@code stallAtVersion} it hangs until interrupted. */
    private static final class StallingTraining implements LocalTraining {
        final CompletableFuture<GlobalModel> stalled = new CompletableFuture<>();
        private final LocalTraining inner;
        private final long stallAtVersion;

        StallingTraining(LocalTraining inner, long stallAtVersion) {
            this.inner = inner;
            this.stallAtVersion = stallAtVersion;
        }

        @Override
        public ModelUpdate train(GlobalModel base) {
            if (base.getVersion() != stallAtVersion) {
                return inner.train(base);
            }
            stalled.complete(base);
            try {
                if (!new CountDownLatch(1).await(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("a stalled site was never killed");
                }
            } catch (InterruptedException e) {
                // the loop ends on Kafka's InterruptException as it does when interrupted in a Kafka call
                throw new InterruptException(e);
            }
            throw new IllegalStateException("unreachable");
        }
    }
}
