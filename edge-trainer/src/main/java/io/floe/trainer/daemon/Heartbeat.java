package io.floe.trainer.daemon;

/**
 * A trainer's "available to train" signal for one model, which {@link TrainerLoop} sends at start
 * and then periodically; {@link HeartbeatPublisher} sends it to the clients topic. Must not block
 * for long: it runs on the loop's heartbeat thread.
 */
@FunctionalInterface
public interface Heartbeat {
    /** No heartbeats (a trainer that takes part only in models without client selection). */
    Heartbeat NONE = () -> { };

    void beat();
}
