package io.floe.flink.aggregate.state;

import io.floe.core.round.RoundDeadline;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * The open sync round's deadline ({@link RoundDeadline}): the processing time at which it passes,
 * with a processing-time timer on it, and how often it has been extended (extensions back off).
 * Both are keyed state, so a deadline survives a checkpoint; a timer whose time is not the pending
 * deadline (a closed round's, a cancelled or extended one) is stale and {@link #isPending} says so.
 */
public final class DeadlineTimer implements ModelState {
    private final ValueState<Long> deadline;
    private final ValueState<Integer> extensions;

    public DeadlineTimer(RuntimeContext context) {
        deadline = context.getState(new ValueStateDescriptor<>("round-deadline", Types.LONG));
        extensions = context.getState(new ValueStateDescriptor<>("round-extensions", Types.INT));
    }

    /** Whether a timer firing at {@code timestamp} is the pending deadline's. */
    public boolean isPending(long timestamp) throws Exception {
        Long pending = deadline.value();
        return pending != null && pending == timestamp;
    }

    /** Arms the open round's deadline if deadlines are on and none is pending (the round opens now). */
    public void ensure(RoundDeadline rule, TimerService timers) throws Exception {
        if (rule.enabled() && deadline.value() == null) {
            long at = rule.firstDeadline(timers.currentProcessingTime());
            deadline.update(at);
            timers.registerProcessingTimeTimer(at);
        }
    }

    /** Cancels any pending deadline and forgets its extensions. */
    public void cancel(TimerService timers) throws Exception {
        extensions.clear();
        Long pending = deadline.value();
        if (pending != null) {
            timers.deleteProcessingTimeTimer(pending);
            deadline.clear();
        }
    }

    /** Forgets the pending deadline without touching timers (its timer has just fired). */
    public void clear() {
        deadline.clear();
    }

    /** Cancels the closed round's deadline and, with deadlines on, arms the deadline of the round that opens now. */
    public void armNext(RoundDeadline rule, TimerService timers) throws Exception {
        cancel(timers);
        ensure(rule, timers);
    }

    /**
     * Moves the deadline that passed at {@code passed} to a later time (backing off with each
     * extension of the same round) and returns it.
     */
    public long extend(RoundDeadline rule, long passed, TimerService timers) throws Exception {
        int sofar = extensions.value() == null ? 0 : extensions.value();
        long extended = rule.extended(passed, timers.currentProcessingTime(), sofar);
        extensions.update(sofar + 1);
        deadline.update(extended);
        timers.registerProcessingTimeTimer(extended);
        return extended;
    }

    /**
     * A spec that changes roundDeadlineMs leaves a pending deadline as it is: the sync mode cancels
     * it when deadlines are turned off or the model leaves sync mode, and the new timeout applies
     * from the next round.
     */
    @Override
    public void reconfigure(SpecChange change) {
    }
}
