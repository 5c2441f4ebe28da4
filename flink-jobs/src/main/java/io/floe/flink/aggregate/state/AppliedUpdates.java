package io.floe.flink.aggregate.state;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Async modes: each client's last applied updateId, so an update delivered again after it was
 * mixed in or aggregated from a buffer (a producer retry, a trainer resending it) is applied once.
 * Any mode: the updates the newest published version accepted, when a job without state continues
 * a model from the models topic and reads those updates again.
 * The updateId is the idempotency key whatever the configuration, so nothing clears this.
 */
public final class AppliedUpdates implements ModelState {
    private final MapState<String, String> lastApplied;

    public AppliedUpdates(RuntimeContext context) {
        lastApplied = context.getMapState(new MapStateDescriptor<>("last-applied-update", Types.STRING, Types.STRING));
    }

    /** Whether {@code updateId} is the last update applied from {@code clientId}. */
    public boolean wasApplied(String clientId, String updateId) throws Exception {
        return updateId != null && updateId.equals(lastApplied.get(String.valueOf(clientId)));
    }

    public void applied(String clientId, String updateId) throws Exception {
        lastApplied.put(clientId, updateId);
    }

    @Override
    public void reconfigure(SpecChange change) {
    }
}
