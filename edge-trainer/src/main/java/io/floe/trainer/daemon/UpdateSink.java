package io.floe.trainer.daemon;

import io.floe.schema.ModelUpdate;

/** Where a {@link TrainerLoop} sends its updates; {@link UpdatePublisher} publishes them to Kafka. */
public interface UpdateSink {

    /** Sends the update and returns once it is acknowledged. */
    void send(ModelUpdate update) throws InterruptedException;
}
