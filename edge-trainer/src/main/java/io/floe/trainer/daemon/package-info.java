/**
 * The trainer daemon's Kafka side: following a model's global versions on the compacted models
 * topic (read_committed), publishing deltas with an idempotent producer, and the loop between them;
 * all three wait out a broker outage ({@link io.floe.trainer.daemon.PublishRetry}: backoff, and which
 * failures are worth retrying);
 * and the site's local round ({@link io.floe.trainer.daemon.NetworkTraining}): any architecture, the
 * client side of FedProx, SCAFFOLD (with the control variate kept on disk across restarts by
 * {@code ClientControlVariates}) and FedNova, and DP-SGD.
 */
package io.floe.trainer.daemon;
