package io.floe.trainer.daemon;

import io.floe.schema.ModelUpdate;

/** Where a {@link TrainerLoop} sends its updates; {@link UpdatePublisher} publishes them to Kafka. */
public interface UpdateSink {

    /**
     * Sends the update and returns once it is acknowledged. A sink may wait and retry while its
     * broker is away; {@link #stopRetrying()} ends such a wait with {@link PublishRetry.StoppedException}.
     */
    void send(ModelUpdate update) throws InterruptedException;

    /** Asks a {@link #send} that waits to retry to give up; a sink that never waits ignores it. */
    default void stopRetrying() {
    }
}
