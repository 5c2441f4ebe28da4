package io.floe.trainer.daemon;

import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.privacy.PrivacyBudgetExhaustedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's loop: wait for a global version newer than the last one trained on, train on it,
 * publish the update, repeat. A training that returns no update (null) skipped that version. Stops after {@code maxRounds} updates, when stopped, when
 * interrupted, or when the training refuses a round because the site's DP-SGD privacy budget is
 * spent ({@link PrivacyBudgetExhaustedException}). A broker outage does not stop it: the source
 * and sink wait for the broker (see {@link UpdatePublisher}, {@link GlobalModelFollower}).
 *
 * <p>Client selection: while it runs, the loop sends a {@link Heartbeat} at start and every
 * heartbeat interval, from a thread of its own (training a round may take longer than the
 * server's client timeout). A version whose selection is not null and does not name this client
 * is not trained on: the loop marks it seen and waits for the next one.
 *
 * <p>Chunked models: when the version trained on is a chunk manifest ({@code chunks} set), the
 * update goes out as a header and chunks cut as that manifest says ({@link ChunkedUpdate},
 * {@link UpdateSink#sendChunked}); {@code onPublished} gets the header (its metrics and ids, empty
 * tensors). Dense versions are sent whole, as before.
 */
public final class TrainerLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerLoop.class);

    /** Heartbeat interval of the constructor without one: a third of the job's default client timeout (30 s). */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);

    private final String clientId;
    private final GlobalModelSource follower;
    private final UpdateSink publisher;
    private final LocalTraining training;
    private final int maxRounds;
    private final Consumer<ModelUpdate> onPublished;
    private final Heartbeat heartbeat;
    private final Duration heartbeatInterval;
    private volatile boolean running = true;
    private volatile boolean budgetExhausted;
    // volatile: read by a metrics endpoint's thread while the loop runs
    private volatile long lastTrainedVersion = -1;
    private volatile int rounds;
    private volatile int versionsNotSelected;

    /**
     * A loop that sends no heartbeats.
     *
     * @param maxRounds updates to publish before returning; {@code <= 0} for no limit
     * @param onPublished called after each update is acknowledged (progress output, tests)
     */
    public TrainerLoop(String clientId, GlobalModelSource follower, UpdateSink publisher, LocalTraining training,
            int maxRounds, Consumer<ModelUpdate> onPublished) {
        this(clientId, follower, publisher, training, maxRounds, onPublished, Heartbeat.NONE, DEFAULT_HEARTBEAT_INTERVAL);
    }

    /**
     * @param heartbeat sent at start and every {@code heartbeatInterval} while the loop runs
     * @param heartbeatInterval positive; keep it well below the model's clientTimeoutMs
     */
    public TrainerLoop(String clientId, GlobalModelSource follower, UpdateSink publisher, LocalTraining training,
            int maxRounds, Consumer<ModelUpdate> onPublished, Heartbeat heartbeat, Duration heartbeatInterval) {
        this.clientId = clientId;
        this.follower = follower;
        this.publisher = publisher;
        this.training = training;
        this.maxRounds = maxRounds;
        this.onPublished = onPublished;
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeatInterval == null || heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
        }
        this.heartbeatInterval = heartbeatInterval;
    }

    @Override
    public void run() {
        ScheduledExecutorService heartbeats = startHeartbeats();
        try {
            while (running && (maxRounds <= 0 || rounds < maxRounds)) {
                Optional<GlobalModel> next = follower.awaitNewerThan(lastTrainedVersion, Duration.ofMillis(500));
                if (next.isEmpty()) {
                    continue;
                }
                GlobalModel base = next.get();
                if (!isSelected(base)) {
                    lastTrainedVersion = base.getVersion();
                    versionsNotSelected++;
                    LOG.debug("{}: not selected for version {} ({} clients asked)", clientId, base.getVersion(),
                            base.getSelection().size());
                    continue;
                }
                ModelUpdate update;
                try {
                    update = training.train(base);
                } catch (PrivacyBudgetExhaustedException e) {
                    LOG.warn("{}: stops after {} updates, {}", clientId, rounds, e.getMessage());
                    budgetExhausted = true;
                    return;
                }
                if (update == null) {
                    // The training gave up on this version (a device that dropped out, or an
                    // interrupted one): nothing to publish; wait for a newer version.
                    lastTrainedVersion = base.getVersion();
                    LOG.debug("{}: no update for version {}", clientId, base.getVersion());
                    continue;
                }
                ModelUpdate sent = update;
                try {
                    if (ChunkedUpdate.isChunked(base)) {
                        ChunkedUpdate chunked = ChunkedUpdate.cut(update, base);
                        sent = chunked.header();
                        publisher.sendChunked(chunked);
                    } else {
                        publisher.send(update);
                    }
                } catch (PublishRetry.StoppedException e) {
                    LOG.info("{}: stopped while waiting for the broker; {}", clientId, e.getMessage());
                    return;
                }
                lastTrainedVersion = base.getVersion();
                rounds++;
                LOG.debug("{}: published update {} trained from version {}", clientId, update.getUpdateId(), base.getVersion());
                onPublished.accept(sent);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (heartbeats != null) {
                heartbeats.shutdownNow();
            }
        }
    }

    /** True when the version asks every client (no selection) or names this one. */
    public boolean isSelected(GlobalModel version) {
        return version.getSelection() == null || version.getSelection().contains(clientId);
    }

    private ScheduledExecutorService startHeartbeats() {
        if (heartbeat == Heartbeat.NONE) {
            return null;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "floe-heartbeat-" + clientId);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleAtFixedRate(() -> {
            try {
                heartbeat.beat();
            } catch (RuntimeException e) {
                // a missed heartbeat makes the client look unavailable for a while; never stop for it
                LOG.warn("{}: heartbeat failed: {}", clientId, e.toString());
            }
        }, 0, Math.max(1, heartbeatInterval.toMillis()), TimeUnit.MILLISECONDS);
        return executor;
    }

    /**
     * Asks the loop to return after its current step; a publish that waits for an unreachable broker
     * gives up at once (its update is not acknowledged; the job never counts it).
     */
    public void stop() {
        running = false;
        publisher.stopRetrying();
    }

    public long lastTrainedVersion() {
        return lastTrainedVersion;
    }

    public int rounds() {
        return rounds;
    }

    /** Versions skipped because their selection did not name this client. */
    public int versionsNotSelected() {
        return versionsNotSelected;
    }

    /** True when the loop returned because the site's DP-SGD privacy budget is spent. */
    public boolean budgetExhausted() {
        return budgetExhausted;
    }
}
