/**
 * The aggregation operator's keyed state, one holder per concern: each holder is created from the
 * runtime context, declares its own state descriptors (names kept stable so savepoints restore)
 * and decides itself what a reconfiguration of its model clears ({@link
 * io.floe.flink.aggregate.state.ModelState#reconfigure}). No other class declares or clears keyed
 * state. Values are Avro single-object bytes or Flink basic types, so checkpoints evolve with the
 * schemas and need no Avro or Kryo serializer.
 */
package io.floe.flink.aggregate.state;
