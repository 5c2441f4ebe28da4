package io.floe.flink.aggregate.mode;

import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.round.ClientSelection;
import io.floe.core.server.ClosedRound;
import io.floe.core.server.ReportBuilder;
import io.floe.core.round.RoundDeadline;
import io.floe.core.round.SyncRound;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.validate.UpdateValidator;
import io.floe.core.validate.ValidationResult;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous rounds (FedAvg family): version v is open; updates trained from v join its round
 * ({@link SyncRound}) until {@code clientsPerRound} are accepted, or until the round's deadline
 * ({@link RoundDeadline}) passes with {@code minFitClients} of them; then the round closes through
 * the model's aggregation step ({@link RoundClose}) and v+1 goes out with its report.
 *
 * <p>On a version with a selection ({@link ClientSelection}) only the selected clients may send,
 * the round completes at {@code min(clientsPerRound, |selection|)} responses, and the report gives
 * selectedClients and participationRate (accepted / selected). A quarantined client's update is
 * dead-lettered but takes its seat, so rounds keep closing. The same update delivered again (same
 * updateId: a producer retry, a restarted trainer) is ignored, as is an update that the version a
 * job without state continued from aggregated already ({@link io.floe.flink.aggregate.state.AppliedUpdates}).
 *
 * <p>Deadlines: a round's deadline is armed when the round opens (its version is published, or a
 * spec or update finds none pending). When its timer fires the round closes if it has a quorum;
 * otherwise the deadline is extended (backing off) and an EXTENDED report says so. A spec that
 * changes roundDeadlineMs leaves a pending deadline as it is (0 cancels it).
 */
public final class SyncRounds implements AggregationMode {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRounds.class);

    private final ModelStates states;
    private final VersionPublisher publisher;
    private final RoundClose roundClose;

    public SyncRounds(ModelStates states, byte[] dpNoiseSecret) {
        this.states = states;
        this.publisher = new VersionPublisher(states);
        this.roundClose = new RoundClose(states, dpNoiseSecret);
    }

    @Override
    public void onUpdate(ModelUpdate update, InboundRecord origin, ModelContext ctx) throws Exception {
        if (states.applied().wasApplied(update.getClientId(), update.getUpdateId())) {
            // aggregated into the version a job without state continued from, and read again
            LOG.debug("model {}: ignoring update {}, aggregated into the published version", update.getModelId(), update.getUpdateId());
            return;
        }
        states.deadline().ensure(deadlineRule(ctx), ctx.timers());
        GlobalModel current = ctx.current();
        SyncRound round = openRound(ctx);
        String client = update.getClientId();
        if (current.getSelection() != null && update.getBaseVersion() == current.getVersion()
                && !current.getSelection().contains(client)) {
            ctx.reject(update, origin, Rejection.of(RejectionReason.NOT_SELECTED, "client " + client
                    + " is not in the selection of version " + current.getVersion() + " (" + current.getSelection().size()
                    + " clients asked)"), true);
            return;
        }
        if (states.clients().quarantined(client)) {
            ctx.reject(update, origin, Rejection.of(RejectionReason.QUARANTINED, "client " + client
                    + " is quarantined for model " + update.getModelId() + " until an operator releases it"), true);
            // a quarantined client's response still takes its seat, so the round can complete
            if (round.admissionCheck(client, update.getBaseVersion()).isEmpty()) {
                round.exclude(client);
                states.round().exclude(client);
                closeIfComplete(round, ctx);
            }
            return;
        }
        ValidationResult verdict = UpdateValidator.validate(update, ctx.currentWeights(), round::admissionCheck,
                ctx.settings().drift().algorithm());
        if (verdict instanceof ValidationResult.Rejected rejected) {
            if (rejected.rejection().reason() == RejectionReason.DUPLICATE_CLIENT
                    && update.getUpdateId().equals(states.round().updateIdOf(client))) {
                LOG.debug("model {}: ignoring redelivered update {}", update.getModelId(), update.getUpdateId());
                return;
            }
            ctx.reject(update, origin, rejected.rejection(), true);
            return;
        }
        round.accept(client);
        states.round().accept(client, origin.value);
        LOG.debug("model {} v{}: accepted update {} from {} ({}/{})", update.getModelId(), round.openVersion(),
                update.getUpdateId(), client, round.acceptedCount(), round.clientsPerRound());
        closeIfComplete(round, ctx);
    }

    /**
     * The open round's deadline passed. A timer that is not the pending deadline's is stale (its
     * round closed at clientsPerRound, or the deadline was cancelled or extended) and does nothing.
     */
    @Override
    public void onTimer(long timestamp, ModelContext ctx) throws Exception {
        if (!states.deadline().isPending(timestamp)) {
            return;
        }
        RoundDeadline rule = deadlineRule(ctx);
        if (states.privacy().exhausted() || !rule.enabled()) {
            states.deadline().clear();
            return;
        }
        SyncRound round = openRound(ctx);
        if (round.clientsPerRound() < rule.minFitClients()) {
            // a selection smaller than minFitClients (too few clients were available): all of it is a quorum
            rule = new RoundDeadline(rule.deadlineMs(), round.clientsPerRound());
        }
        if (rule.atDeadline(round) == RoundDeadline.Verdict.CLOSE) {
            close(round, rule.closedNote(round, timestamp), ctx);
            return;
        }
        long extended = states.deadline().extend(rule, timestamp, ctx.timers());
        String note = rule.extensionNote(round, timestamp, extended);
        AggregationReport report = ReportBuilder.extended(ctx.current(), ctx.spec(), note, ctx.now());
        reportParticipation(report, ctx.current());
        ctx.out().report(report);
        LOG.warn("model {}: {}", ctx.modelId(), note);
    }

    /** Arms the deadline if none is pending (or cancels it when deadlines were turned off); a spec may complete the round. */
    @Override
    public void onSpec(ModelContext ctx) throws Exception {
        RoundDeadline rule = deadlineRule(ctx);
        if (!rule.enabled()) {
            states.deadline().cancel(ctx.timers());
        } else if (!states.privacy().exhausted()) {
            states.deadline().ensure(rule, ctx.timers());
        }
        closeIfComplete(openRound(ctx), ctx);
    }

    @Override
    public void onDropped(ModelContext ctx) throws Exception {
        states.deadline().cancel(ctx.timers());
    }

    private void closeIfComplete(SyncRound round, ModelContext ctx) throws Exception {
        if (round.isComplete()) {
            close(round, "", ctx);
        }
    }

    /**
     * Closes the open round, at clientsPerRound responses or at its deadline: publishes the next
     * version and its report (or only the report when the privacy budget stops it), ends the round
     * and arms the next round's deadline. {@code closeNote}, when not empty, is added to the note.
     */
    private void close(SyncRound round, String closeNote, ModelContext ctx) throws Exception {
        AggregationSettings settings = ctx.settings();
        StoredUpdates stored = StoredUpdates.decode(states.round().updates(),
                settings.drift().algorithm().kind() == DriftAlgorithm.Kind.SCAFFOLD);
        ClosedRound closed = roundClose.close(stored, ctx);
        if (!closed.published()) {
            states.round().clear();
            states.deadline().cancel(ctx.timers());
            publisher.stopped(closed, ctx);
            return;
        }
        AggregationReport report = publisher.settle(closed, ctx, stored.rawByUpdateId(), closeNote);
        stored.countUplink(report);
        reportParticipation(report, ctx.current());
        ClientSelection.Selection selection = states.clients().selection(ctx.spec(), settings, closed.model().getVersion(), ctx.now());
        closed.model().setSelection(selection.clients());
        VersionPublisher.appendNote(report, selection.note());
        states.round().clear();
        publisher.publish(closed, report, ctx, "round");
        states.deadline().armNext(deadlineRule(ctx), ctx.timers());
    }

    /** Sets a report's selectedClients and participationRate from the selection of the version its round trained on. */
    private static void reportParticipation(AggregationReport report, GlobalModel base) {
        if (base.getSelection() == null) {
            return;
        }
        int selected = base.getSelection().size();
        report.setSelectedClients(selected);
        report.setParticipationRate(selected == 0 ? 0.0 : report.getAccepted().size() / (double) selected);
    }

    private static RoundDeadline deadlineRule(ModelContext ctx) {
        return ctx.settings().round().deadline();
    }

    private SyncRound openRound(ModelContext ctx) throws Exception {
        return states.round().round(ctx.current(), ctx.settings().round().clientsPerRound());
    }
}
