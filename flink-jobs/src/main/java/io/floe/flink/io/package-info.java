/**
 * The job's edges: Kafka records in and out as plain byte-carrying POJOs, so Flink never needs
 * Kryo or Avro type information for them, and one exactly-once sink routes every output by topic.
 */
package io.floe.flink.io;
