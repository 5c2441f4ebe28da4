package io.floe.trainer.daemon;

import io.floe.schema.ModelUpdate;

/** Where a {@link TrainerLoop} sends its updates; {@link UpdatePublisher} publishes them to Kafka. */
public interface UpdateSink {

    /**
     * Sends the update and returns once it is acknowledged. A sink may wait and retry while its
     * broker is away; {@link #stopRetrying()} ends such a wait with {@link PublishRetry.StoppedException}.
     */
    void send(ModelUpdate update) throws InterruptedException;

    /**
     * Sends a chunked update (a version whose model is chunked, {@link ChunkedUpdate}): its header
     * first, then every chunk, and returns once all of them are acknowledged. Waits and retries as
     * {@link #send} does; the chunk records are keyed {@code modelId#index}. {@link UpdatePublisher}
     * implements it; the default refuses, so a sink that cannot send chunks fails loudly instead of
     * publishing a header whose chunks never come.
     */
    default void sendChunked(ChunkedUpdate update) throws InterruptedException {
        throw new UnsupportedOperationException(getClass().getName() + " cannot send chunked updates (update "
                + update.header().getUpdateId() + " of chunked model " + update.header().getModelId() + ")");
    }

    /** Asks a {@link #send} that waits to retry to give up; a sink that never waits ignores it. */
    default void stopRetrying() {
    }
}
