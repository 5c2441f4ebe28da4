package io.floe.flink.aggregate.state;

import io.floe.core.round.SyncRound;
import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open synchronous round: its accepted updates as the single-object bytes they arrived in,
 * keyed by client id (one update per client per round), and the clients that responded but are
 * excluded from it (quarantined: their response still takes its seat). {@link #round} rebuilds
 * the {@link SyncRound} state machine from them. Accepted updates are decoded only when the round
 * closes.
 */
public final class OpenRound implements ModelState {
    private static final Logger LOG = LoggerFactory.getLogger(OpenRound.class);

    private final MapState<String, byte[]> updates;
    private final MapState<String, Boolean> excluded;

    public OpenRound(RuntimeContext context) {
        updates = context.getMapState(
                new MapStateDescriptor<>("round-updates", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        excluded = context.getMapState(new MapStateDescriptor<>("round-excluded", Types.STRING, Types.BOOLEAN));
    }

    /**
     * The round open on {@code current}, completing at {@code clientsPerRound} responses or, on a
     * version with a selection, at the selection's size if that is smaller (a round cannot get more
     * responses than clients were asked).
     */
    public SyncRound round(GlobalModel current, int clientsPerRound) throws Exception {
        int target = clientsPerRound;
        if (current.getSelection() != null && !current.getSelection().isEmpty()) {
            target = Math.min(target, current.getSelection().size());
        }
        return SyncRound.restore(current.getVersion(), target, keys(updates.keys()), keys(excluded.keys()));
    }

    public void accept(String clientId, byte[] update) throws Exception {
        updates.put(clientId, update);
    }

    public void exclude(String clientId) throws Exception {
        excluded.put(clientId, Boolean.TRUE);
    }

    /** Takes {@code clientId}'s accepted update out of the round; its response still takes its seat (as an excluded one). */
    public void drop(String clientId) throws Exception {
        updates.remove(clientId);
        excluded.put(clientId, Boolean.TRUE);
    }

    /** The stored bytes of the update {@code clientId} contributed to this round, or null. */
    public byte[] updateOf(String clientId) throws Exception {
        return updates.get(clientId);
    }

    /** The updateId of the update {@code clientId} contributed to this round, or null. */
    public String updateIdOf(String clientId) throws Exception {
        byte[] stored = updates.get(clientId);
        return stored == null ? null : WireCodec.MODEL_UPDATE.decode(stored).getUpdateId();
    }

    /** The accepted updates' stored bytes. */
    public Iterable<byte[]> updates() throws Exception {
        return updates.values();
    }

    /** Ends the round: its updates have been aggregated, or dropped. */
    public void clear() {
        updates.clear();
        excluded.clear();
    }

    /** A new mode or drift algorithm drops the open round's updates (validated for the old one). */
    @Override
    public void reconfigure(SpecChange change) throws Exception {
        if (change.dropsPendingUpdates()) {
            LOG.warn("model {}: mode {} -> {}, algorithm {} -> {}; {} pending round updates are dropped", change.modelId(),
                    change.modeBefore().configName(), change.modeAfter().configName(), change.before().drift().algorithm().toSpec(),
                    change.after().drift().algorithm().toSpec(), keys(updates.keys()).size());
            clear();
        }
    }

    private static List<String> keys(Iterable<String> keys) {
        List<String> out = new ArrayList<>();
        keys.forEach(out::add);
        return out;
    }
}
