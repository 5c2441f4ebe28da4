/**
 * The trainer daemon's Kafka side: following a model's global versions on the compacted models
 * topic (read_committed), publishing deltas with an idempotent producer, and the loop between them;
 * and the site's local round ({@link io.floe.trainer.daemon.NetworkTraining}): any architecture, the
 * client side of FedProx, SCAFFOLD (with the control variate kept on disk across restarts by
 * {@link io.floe.trainer.daemon.ClientControlVariates}) and FedNova, and DP-SGD.
 */
package io.floe.trainer.daemon;
