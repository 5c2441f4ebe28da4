package io.floe.flink.shard;

import io.floe.flink.io.InboundRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A folder's chunks that came before their update's ADMIT (keyed state {@code chunk-waiting},
 * {@code -since}, {@code -count}): at most {@link #MAX_WAITING} per key and {@link #WAITING_MS} of
 * processing time each; a chunk past either is an orphan.
 */
final class WaitingChunks {
    /** Chunks one key holds while their ADMIT has not come (a header is normally a few records ahead of its chunks). */
    static final int MAX_WAITING = 64;
    /** How long (processing time) a chunk waits for its ADMIT before it is an orphan. */
    static final long WAITING_MS = 120_000;

    private final MapState<String, InboundRecord> waiting;
    private final MapState<String, Long> since;
    private final ValueState<Integer> count;

    WaitingChunks(RuntimeContext context) {
        waiting = context.getMapState(new MapStateDescriptor<>("chunk-waiting", TypeInformation.of(String.class),
                TypeInformation.of(InboundRecord.class)));
        since = context.getMapState(new MapStateDescriptor<>("chunk-waiting-since", String.class, Long.class));
        count = context.getState(new ValueStateDescriptor<>("chunk-waiting-count", Integer.class));
    }

    /** Keeps {@code origin} until {@code updateId}'s ADMIT; false when this key holds {@link #MAX_WAITING} already. */
    boolean hold(String updateId, InboundRecord origin, long now) throws Exception {
        if (waiting.contains(updateId)) {
            return true;
        }
        int held = count.value() == null ? 0 : count.value();
        if (held >= MAX_WAITING) {
            return false;
        }
        waiting.put(updateId, origin);
        since.put(updateId, now);
        count.update(held + 1);
        return true;
    }

    /** The chunk of {@code updateId} that waited, removed; null when none did. */
    InboundRecord take(String updateId) throws Exception {
        InboundRecord early = waiting.get(updateId);
        if (early != null) {
            waiting.remove(updateId);
            since.remove(updateId);
            count.update(count.value() - 1);
        }
        return early;
    }

    /** The update ids whose chunk has waited {@link #WAITING_MS} by {@code now}. */
    List<String> expired(long now) throws Exception {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : since.entries()) {
            if (e.getValue() + WAITING_MS <= now) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
