/**
 * Aggregation rules: how a set of client deltas becomes one global delta. Pure functions of
 * (delta, numExamples) pairs, independent of the order the updates arrived in.
 */
package io.floe.core.aggregate;
