/**
 * The aggregation modes behind one interface ({@link io.floe.flink.aggregate.mode.AggregationMode}):
 * synchronous rounds ({@link io.floe.flink.aggregate.mode.SyncRounds}), FedAsync
 * ({@link io.floe.flink.aggregate.mode.FedAsyncMode}) and FedBuff
 * ({@link io.floe.flink.aggregate.mode.FedBuffMode}). Each receives a model's events from the
 * operator with a {@link io.floe.flink.aggregate.mode.ModelContext} and works on the state
 * holders of {@link io.floe.flink.aggregate.state}; every decision is made by a core class.
 */
package io.floe.flink.aggregate.mode;
