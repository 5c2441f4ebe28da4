/**
 * The server step: how version {@code v} and its updates become version {@code v+1} and its
 * report. One {@link io.floe.core.server.RoundInput} goes into an
 * {@link io.floe.core.server.AggregationStep}: the plain {@link io.floe.core.server.ServerRound}
 * (sort, {@link io.floe.core.server.RoundAggregation}, server optimizer or eta_g step, SCAFFOLD's
 * control variate), decorated by {@link io.floe.core.server.CentralDpStep} (DP-FedAvg with its
 * budget) or {@link io.floe.core.server.FedBuffStep} (staleness and participation weights), or
 * {@link io.floe.core.server.FedAsyncStep} for one update; a
 * {@link io.floe.core.server.ClosedRound} comes out. Every report is built by
 * {@link io.floe.core.server.ReportBuilder}, every published version by
 * {@link io.floe.core.server.ModelVersions}.
 *
 * <p>The top of {@code core}: it uses settings, round, async, drift, privacy, anomaly and
 * aggregate; none of them uses it. The Flink job's ModelAggregator is the stateful shell around it.
 */
package io.floe.core.server;
