package io.floe.flink.aggregate.state;

import io.floe.core.async.AsyncSettings;
import io.floe.core.async.ParticipationIntervals;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FedBuff participation weighting ({@code participationWeighting interval[:cap=C]}): each client's
 * participation history {lastVersion, intervalSum, intervals} ({@link ParticipationIntervals},
 * after FedAU, Wang and Ji 2024). A buffer step loads it, records the buffer's clients and writes
 * theirs back.
 */
public final class ParticipationHistories implements ModelState {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipationHistories.class);

    private final MapState<String, long[]> histories;

    public ParticipationHistories(RuntimeContext context) {
        histories = context.getMapState(new MapStateDescriptor<>("participation-intervals", Types.STRING,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /** Every client's history, ready to record a buffer step. */
    public ParticipationIntervals load(AsyncSettings async) throws Exception {
        Map<String, ParticipationIntervals.ParticipationHistory> loaded = new HashMap<>();
        for (Map.Entry<String, long[]> e : histories.entries()) {
            long[] h = e.getValue();
            loaded.put(e.getKey(), new ParticipationIntervals.ParticipationHistory(h[0], h[1], Math.toIntExact(h[2])));
        }
        return new ParticipationIntervals(async.participationWeighting().cap(), async.bufferSize(), loaded);
    }

    /** Writes back the histories of {@code clients} after {@code participation} recorded a step. */
    public void store(ParticipationIntervals participation, Set<String> clients) throws Exception {
        for (String client : clients) {
            ParticipationIntervals.ParticipationHistory h = participation.histories().get(client);
            histories.put(client, new long[] {h.lastVersion(), h.intervalSum(), h.intervals()});
        }
    }

    /**
     * A new mode or drift algorithm, or another weighting, starts the histories afresh: they stop
     * being updated while weighting is off, so they would be stale.
     */
    @Override
    public void reconfigure(SpecChange change) {
        if (change.dropsPendingUpdates()) {
            histories.clear();
        } else if (change.participationWeightingChanged()) {
            LOG.info("model {}: participation weighting {} -> {}; participation histories start afresh", change.modelId(),
                    change.before().async().participationWeighting().toSpec(), change.after().async().participationWeighting().toSpec());
            histories.clear();
        }
    }
}
