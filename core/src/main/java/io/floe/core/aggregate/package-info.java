/**
 * Aggregation rules: how a set of client deltas becomes one global delta. Pure functions of
 * (delta, numExamples) pairs, independent of the order the updates arrived in (every rule sorts
 * by updateId, then clientId, first).
 *
 * <p>Rules, selected by name through {@link io.floe.core.aggregate.AggregationRules}:
 * {@link io.floe.core.aggregate.FederatedAveraging} ({@code fedavg}),
 * {@link io.floe.core.aggregate.CoordinateWiseMedian} ({@code median}),
 * {@link io.floe.core.aggregate.TrimmedMean} ({@code trimmed-mean}),
 * {@link io.floe.core.aggregate.Krum} ({@code krum}) and
 * {@link io.floe.core.aggregate.MultiKrum} ({@code multi-krum}), configured by
 * {@link io.floe.core.aggregate.RuleParameters}. Steps that run before any rule:
 * {@link io.floe.core.aggregate.NormClipping} (with a {@link io.floe.core.aggregate.ClipBound})
 * and {@link io.floe.core.aggregate.ExampleCountCap}. The numeric kernels live in
 * {@code io.floe.core.kernel}.
 */
package io.floe.core.aggregate;
