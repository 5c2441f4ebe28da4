package io.floe.flink.aggregate.state;

import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Every state holder of the aggregation operator, opened together from the runtime context. The
 * modes and the spec lifecycle are handed the holders they need from here; a reconfiguration is
 * offered to {@link #all()}.
 */
public record ModelStates(ModelStore model, OpenRound round, PendingRejections rejections, DeadlineTimer deadline,
        ClientRegistry clients, PrivacyBudget privacy, OptimizerMoments optimizer, FedBuffBuffer buffer,
        VersionHistory history, ParticipationHistories participation, AppliedUpdates applied,
        UpdatesAwaitingSpec awaitingSpec, ChunkReceipts receipts, ClientEnrolments enrolments, SeenUpdateIds updateIds,
        KrumSelectionState krum) {

    /** Registers every holder's state with {@code context} (the operator's {@code open}). */
    public static ModelStates open(RuntimeContext context) {
        return new ModelStates(new ModelStore(context), new OpenRound(context), new PendingRejections(context),
                new DeadlineTimer(context), new ClientRegistry(context), new PrivacyBudget(context),
                new OptimizerMoments(context), new FedBuffBuffer(context), new VersionHistory(context),
                new ParticipationHistories(context), new AppliedUpdates(context),
                new UpdatesAwaitingSpec(context), new ChunkReceipts(context), new ClientEnrolments(context),
                new SeenUpdateIds(context), new KrumSelectionState(context));
    }

    /** Every holder, for a reconfiguration to offer itself to. */
    public List<ModelState> all() {
        return List.of(model, round, rejections, deadline, clients, privacy, optimizer, buffer, history, participation, applied,
                awaitingSpec, receipts, enrolments, updateIds, krum);
    }
}
