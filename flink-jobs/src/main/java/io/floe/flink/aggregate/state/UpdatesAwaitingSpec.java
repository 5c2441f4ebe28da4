package io.floe.flink.aggregate.state;

import io.floe.flink.io.InboundRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Updates for a model that a job started without state knows from the models topic but whose spec
 * it has not read again yet. Such a job reads the control topic from its beginning and the updates
 * topic from about when each model's newest version was made; records of the two topics interleave
 * in any order, so an update can arrive before the spec that brings its model back. It waits here
 * and is handled as if it arrived just then once the spec has continued the model. A spec that
 * never comes (deleted by the control topic's retention) releases the held updates as dead
 * letters at a processing-time deadline, {@link #HOLD_MS} after the first of them.
 *
 * <p>Empty for every model with state: nothing is held once the model exists.
 */
public final class UpdatesAwaitingSpec implements ModelState {
    /** How long the first held update waits for its model's spec. */
    public static final long HOLD_MS = 120_000;
    /** Held updates per model; one more is dead-lettered at once (a model whose spec is gone should not fill the state). */
    public static final int MAX_HELD = 10_000;
    /** Held bytes per model, likewise: an update that would pass it is dead-lettered at once. */
    public static final long MAX_HELD_BYTES = 256L * 1024 * 1024;

    private final ListState<InboundRecord> held;
    private final ValueState<Long> deadline;
    private final ValueState<Integer> count;
    private final ValueState<Long> bytes;

    public UpdatesAwaitingSpec(RuntimeContext context) {
        held = context.getListState(new ListStateDescriptor<>("updates-awaiting-spec", TypeInformation.of(InboundRecord.class)));
        deadline = context.getState(new ValueStateDescriptor<>("updates-awaiting-spec-deadline", Types.LONG));
        count = context.getState(new ValueStateDescriptor<>("updates-awaiting-spec-count", Types.INT));
        bytes = context.getState(new ValueStateDescriptor<>("updates-awaiting-spec-bytes", Types.LONG));
    }

    /**
     * Holds {@code update} until the model's spec arrives; arms the deadline with the first.
     *
     * @return false when {@link #MAX_HELD} updates, or with this one more than {@link #MAX_HELD_BYTES},
     *     would be held (the caller dead-letters this one)
     */
    public boolean hold(InboundRecord update, TimerService timers) throws Exception {
        int n = count.value() == null ? 0 : count.value();
        long size = (bytes.value() == null ? 0 : bytes.value()) + (update.value == null ? 0 : update.value.length);
        if (n >= MAX_HELD || size > MAX_HELD_BYTES) {
            return false;
        }
        if (deadline.value() == null) {
            long at = timers.currentProcessingTime() + HOLD_MS;
            timers.registerProcessingTimeTimer(at);
            deadline.update(at);
        }
        held.add(update);
        count.update(n + 1);
        bytes.update(size);
        return true;
    }

    /** Whether {@code timestamp} is this holder's deadline. */
    public boolean isDeadline(long timestamp) throws Exception {
        return deadline.value() != null && deadline.value() == timestamp;
    }

    /** The held updates in arrival order, removed from state (and the deadline with them). */
    public List<InboundRecord> takeAll(TimerService timers) throws Exception {
        List<InboundRecord> out = new ArrayList<>();
        Iterable<InboundRecord> all = held.get();
        if (all != null) {
            all.forEach(out::add);
        }
        if (deadline.value() != null) {
            timers.deleteProcessingTimeTimer(deadline.value());
        }
        held.clear();
        deadline.clear();
        count.clear();
        bytes.clear();
        return out;
    }

    @Override
    public void reconfigure(SpecChange change) {
        // a model that is reconfigured exists: nothing is held for it
    }
}
