package io.floe.flink.aggregate;

import io.floe.core.settings.AggregationSettings;
import io.floe.flink.aggregate.mode.ShardedRounds;

import io.floe.core.async.AsyncMode;
import io.floe.flink.aggregate.mode.AggregationMode;
import io.floe.flink.aggregate.mode.FedAsyncMode;
import io.floe.flink.aggregate.mode.FedBuffMode;
import io.floe.flink.aggregate.mode.SyncRounds;
import io.floe.flink.aggregate.state.ModelStates;
import java.util.EnumMap;
import java.util.Map;

/** The {@link AggregationMode} for each configured mode, over one operator's state holders. */
final class Modes {
    private final Map<AsyncMode, AggregationMode> byMode = new EnumMap<>(AsyncMode.class);
    private final ShardedRounds sharded;

    Modes(ModelStates states, byte[] dpNoiseSecret) {
        byMode.put(AsyncMode.SYNC, new SyncRounds(states, dpNoiseSecret));
        byMode.put(AsyncMode.FEDASYNC, new FedAsyncMode(states));
        byMode.put(AsyncMode.FEDBUFF, new FedBuffMode(states));
        sharded = new ShardedRounds(states, dpNoiseSecret);
    }

    /** The mode of a model with {@code settings}: {@link ShardedRounds} for a chunked model, else its configured mode. */
    AggregationMode of(AggregationSettings settings) {
        return settings.chunked() ? sharded : of(settings.async().mode());
    }

    /** Chunked models' sync rounds. */
    ShardedRounds sharded() {
        return sharded;
    }

    AggregationMode of(AsyncMode mode) {
        AggregationMode m = byMode.get(mode);
        if (m == null) {
            throw new IllegalStateException("no aggregation mode for " + mode);
        }
        return m;
    }
}
