package io.floe.trainer.daemon;

import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.privacy.PrivacyBudgetExhaustedException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's loop: wait for a global version newer than the last one trained on, train on it,
 * publish the update, repeat. A training that returns no update (null) skipped that version. Stops after {@code maxRounds} updates, when stopped, when
 * interrupted, or when the training refuses a round because the site's DP-SGD privacy budget is
 * spent ({@link PrivacyBudgetExhaustedException}).
 */
public final class TrainerLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerLoop.class);

    private final String clientId;
    private final GlobalModelFollower follower;
    private final UpdatePublisher publisher;
    private final LocalTraining training;
    private final int maxRounds;
    private final Consumer<ModelUpdate> onPublished;
    private volatile boolean running = true;
    private volatile boolean budgetExhausted;
    private long lastTrainedVersion = -1;
    private int rounds;

    /**
     * @param maxRounds updates to publish before returning; {@code <= 0} for no limit
     * @param onPublished called after each update is acknowledged (progress output, tests)
     */
    public TrainerLoop(String clientId, GlobalModelFollower follower, UpdatePublisher publisher, LocalTraining training,
            int maxRounds, Consumer<ModelUpdate> onPublished) {
        this.clientId = clientId;
        this.follower = follower;
        this.publisher = publisher;
        this.training = training;
        this.maxRounds = maxRounds;
        this.onPublished = onPublished;
    }

    @Override
    public void run() {
        try {
            while (running && (maxRounds <= 0 || rounds < maxRounds)) {
                Optional<GlobalModel> next = follower.awaitNewerThan(lastTrainedVersion, Duration.ofMillis(500));
                if (next.isEmpty()) {
                    continue;
                }
                GlobalModel base = next.get();
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
                publisher.publish(update);
                lastTrainedVersion = base.getVersion();
                rounds++;
                LOG.debug("{}: published update {} trained from version {}", clientId, update.getUpdateId(), base.getVersion());
                onPublished.accept(update);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the loop to return after its current step. */
    public void stop() {
        running = false;
    }

    public long lastTrainedVersion() {
        return lastTrainedVersion;
    }

    public int rounds() {
        return rounds;
    }

    /** True when the loop returned because the site's DP-SGD privacy budget is spent. */
    public boolean budgetExhausted() {
        return budgetExhausted;
    }
}
