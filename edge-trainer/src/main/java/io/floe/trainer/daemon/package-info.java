/**
 * The trainer daemon's Kafka side: following a model's global versions on the compacted models
 * topic (read_committed), publishing deltas with an idempotent producer, and the loop between them.
 */
package io.floe.trainer.daemon;
