/**
 * A model's configuration as the server uses it: {@link io.floe.core.settings.AggregationSettings},
 * parsed and checked once from a ModelSpec's AggregationConfig into typed groups (robustness,
 * drift, async mode, central DP, client selection, round size and deadline), and
 * {@link io.floe.core.settings.SpecValidator}, which refuses an inconsistent spec before the job
 * creates or reconfigures a model. Depends on the algorithm packages it configures; nothing
 * below it depends on it.
 */
package io.floe.core.settings;
