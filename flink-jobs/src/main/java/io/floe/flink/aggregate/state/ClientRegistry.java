package io.floe.flink.aggregate.state;

import io.floe.core.anomaly.ClientStanding;
import io.floe.core.anomaly.QuarantineRule;
import io.floe.core.async.AsyncMode;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.settings.SelectionSettings;
import io.floe.core.round.ClientSelection;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * What the server knows of each client of a model (Flower's client manager): when it last sent a
 * heartbeat, and its standing (recent anomaly rejections, quarantine; {@link ClientStanding} packed
 * in a long). Heartbeat times are the records' Kafka timestamps, the clock the operator uses for
 * every input.
 *
 * <p>Selection ({@code fractionFit < 1} or {@code minAvailableClients > 0}, sync mode): the clients
 * heard from within {@code clientTimeoutMs} and not quarantined are available, and
 * {@link ClientSelection} picks a version's selection from them; older heartbeats are dropped then.
 */
public final class ClientRegistry implements ModelState {
    private final MapState<String, Long> lastSeen;
    private final MapState<String, Long> standings;

    public ClientRegistry(RuntimeContext context) {
        lastSeen = context.getMapState(new MapStateDescriptor<>("client-last-seen", Types.STRING, Types.LONG));
        standings = context.getMapState(new MapStateDescriptor<>("client-standings", Types.STRING, Types.LONG));
    }

    /** Records that the client is available at {@code now}; a heartbeat never moves its time back. */
    public void heard(String clientId, Instant now) throws Exception {
        Long seen = lastSeen.get(clientId);
        if (seen == null || seen < now.toEpochMilli()) {
            lastSeen.put(clientId, now.toEpochMilli());
        }
    }

    public boolean quarantined(String clientId) throws Exception {
        return standing(clientId).quarantined();
    }

    /** Lifts the client's quarantine; false (nothing changes) when it is not quarantined. */
    public boolean release(String clientId) throws Exception {
        ClientStanding s = standing(clientId);
        if (!s.quarantined()) {
            return false;
        }
        standings.put(clientId, s.released().bits());
        return true;
    }

    /** Records one aggregated round of the client; true when this round put it into quarantine. */
    public boolean afterRound(String clientId, boolean rejected, QuarantineRule rule) throws Exception {
        ClientStanding before = standing(clientId);
        ClientStanding after = before.afterRound(rejected, rule);
        standings.put(clientId, after.bits());
        return after.quarantined() && !before.quarantined();
    }

    /**
     * The selection of {@code version}, about to be published: every client unless the model
     * selects (sync mode, fractionFit below 1 or a minimum of available clients); otherwise a
     * selection among the available clients. Drops stale heartbeats.
     */
    public ClientSelection.Selection selection(ModelSpec spec, AggregationSettings settings, long version, Instant now)
            throws Exception {
        SelectionSettings selecting = settings.selection();
        if (settings.async().mode() != AsyncMode.SYNC || !selecting.enabled()) {
            return ClientSelection.Selection.everyone();
        }
        List<String> available = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Long> e : lastSeen.entries()) {
            if (now.toEpochMilli() - e.getValue() > selecting.clientTimeoutMs()) {
                stale.add(e.getKey());
            } else if (!quarantined(e.getKey())) {
                available.add(e.getKey());
            }
        }
        for (String c : stale) {
            lastSeen.remove(c);
        }
        return ClientSelection.select(available, spec.getInitSeed(), version, selecting.fractionFit(),
                selecting.minFitClients(), selecting.minAvailableClients());
    }

    /** Heartbeats and standings are facts about the clients, whatever the model's configuration. */
    @Override
    public void reconfigure(SpecChange change) {
    }

    private ClientStanding standing(String clientId) throws Exception {
        Long bits = standings.get(clientId);
        return bits == null ? ClientStanding.NEW : new ClientStanding(bits);
    }
}
