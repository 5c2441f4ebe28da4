package io.floe.flink.aggregate.state;

import io.floe.core.trust.UpdateIdGuard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The update ids this model has seen from authenticated clients within {@link UpdateIdGuard#WINDOW}
 * (what {@link UpdateIdGuard} decides replays from). Ids older than the window are forgotten in
 * one pass at most every quarter of the window, so the map holds about a window's worth of updates.
 */
public final class SeenUpdateIds implements ModelState {
    private final MapState<String, String> seen;
    private final ValueState<Long> lastPruned;

    public SeenUpdateIds(RuntimeContext context) {
        seen = context.getMapState(new MapStateDescriptor<>("seen-update-ids", Types.STRING, Types.STRING));
        lastPruned = context.getState(new ValueStateDescriptor<>("seen-update-ids-pruned", Types.LONG));
    }

    /** What was remembered of {@code updateId}, null when it is new. */
    public String get(String updateId) throws Exception {
        return seen.get(updateId);
    }

    public void remember(String updateId, String clientId, Instant createdAt, Instant now) throws Exception {
        seen.put(updateId, UpdateIdGuard.remembered(clientId, createdAt));
        Long pruned = lastPruned.value();
        if (pruned == null) {
            lastPruned.update(now.toEpochMilli());
        } else if (now.toEpochMilli() - pruned > UpdateIdGuard.WINDOW.toMillis() / 4) {
            List<String> expired = new ArrayList<>();
            for (Map.Entry<String, String> e : seen.entries()) {
                if (UpdateIdGuard.expired(e.getValue(), now)) {
                    expired.add(e.getKey());
                }
            }
            for (String id : expired) {
                seen.remove(id);
            }
            lastPruned.update(now.toEpochMilli());
        }
    }

    /** Ids stay unique whatever the configuration. */
    @Override
    public void reconfigure(SpecChange change) {
    }
}
