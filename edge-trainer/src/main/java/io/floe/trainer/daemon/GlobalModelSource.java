package io.floe.trainer.daemon;

import io.floe.schema.GlobalModel;
import java.time.Duration;
import java.util.Optional;

/** Where a {@link TrainerLoop} takes global versions from; {@link GlobalModelFollower} reads them from Kafka. */
public interface GlobalModelSource {

    /**
     * Waits until a version newer than {@code afterVersion} is available and returns the newest one.
     *
     * @return empty when {@code timeout} passes first
     */
    Optional<GlobalModel> awaitNewerThan(long afterVersion, Duration timeout);
}
