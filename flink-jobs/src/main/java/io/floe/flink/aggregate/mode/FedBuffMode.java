package io.floe.flink.aggregate.mode;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.async.AsyncSettings;
import io.floe.core.async.ParticipationIntervals;
import io.floe.core.server.ClosedRound;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.AggregationReport;
import io.floe.schema.ModelUpdate;
import java.util.Map;
import java.util.Optional;

/**
 * FedBuff (Nguyen et al., AISTATS 2022): accepted updates wait in a buffer
 * ({@link io.floe.flink.aggregate.state.FedBuffBuffer}); every {@code bufferSize} of them the
 * buffer closes like a sync round on the staleness-weighted deltas {@code s(tau) Delta}
 * ({@link io.floe.core.async.FedBuffStep}), so anomaly scoring, robust rules and the server
 * learning rate apply to a buffer as to a round.
 *
 * <p>With {@code participationWeighting interval[:cap=C]} each delta is also scaled by its client's
 * correction {@code c_i} ({@link ParticipationIntervals}, after FedAU, Wang and Ji 2024): the
 * clients' histories are loaded before the step, record the buffer's updates and are written back.
 */
public final class FedBuffMode implements AggregationMode {
    private final ModelStates states;
    private final AsyncAdmission admission;
    private final VersionPublisher publisher;
    private final RoundClose roundClose;

    public FedBuffMode(ModelStates states) {
        this.states = states;
        this.admission = new AsyncAdmission(states, this::oncePerBase,
                u -> u.getUpdateId().equals(states.buffer().updateIdOf(u.getClientId(), u.getBaseVersion())));
        this.publisher = new VersionPublisher(states);
        this.roundClose = new RoundClose(states, null);
    }

    /** A client may have several updates in the buffer, but one per base version. */
    private Optional<Rejection> oncePerBase(String clientId, long base, ModelContext ctx) throws Exception {
        if (states.buffer().holds(clientId, base)) {
            return Optional.of(Rejection.of(RejectionReason.DUPLICATE_CLIENT, "client " + clientId
                    + " already has an update trained from version " + base + " in the buffer"));
        }
        return Optional.empty();
    }

    @Override
    public void onUpdate(ModelUpdate update, InboundRecord origin, ModelContext ctx) throws Exception {
        if (admission.admit(update, origin, ctx).isEmpty()) {
            return;
        }
        AsyncSettings async = ctx.settings().async();
        if (states.buffer().add(update.getClientId(), update.getBaseVersion(), origin.value) < async.bufferSize()) {
            return;
        }
        StoredUpdates stored = StoredUpdates.decode(states.buffer().updates(), false);
        for (ClientUpdate u : stored.updates()) {
            states.applied().applied(u.clientId(), u.updateId());
        }
        ParticipationIntervals participation = null;
        Map<String, Double> corrections = Map.of();
        if (async.participationWeighting().enabled()) {
            participation = states.participation().load(async);
            corrections = participation.recordStep(ctx.current().getVersion() + 1, stored.updates());
        }
        ClosedRound closed = roundClose.closeBuffer(stored, corrections, ctx);
        if (participation != null) {
            states.participation().store(participation, corrections.keySet());
        }
        AggregationReport report = publisher.settle(closed, ctx, stored.rawByUpdateId(), "");
        stored.countUplink(report);
        states.buffer().clear();
        publisher.publish(closed, report, ctx, "buffer");
    }
}
