package io.floe.flink.aggregate;

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

    Modes(ModelStates states, byte[] dpNoiseSecret) {
        byMode.put(AsyncMode.SYNC, new SyncRounds(states, dpNoiseSecret));
        byMode.put(AsyncMode.FEDASYNC, new FedAsyncMode(states));
        byMode.put(AsyncMode.FEDBUFF, new FedBuffMode(states));
    }

    AggregationMode of(AsyncMode mode) {
        AggregationMode m = byMode.get(mode);
        if (m == null) {
            throw new IllegalStateException("no aggregation mode for " + mode);
        }
        return m;
    }
}
