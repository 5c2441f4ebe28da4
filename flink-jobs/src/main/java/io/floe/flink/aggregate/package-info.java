/**
 * The job's operators: decoding inbound records, and the keyed per-model aggregator that holds
 * the global model and the open round in state. Both are thin shells around io.floe.core.
 */
package io.floe.flink.aggregate;
