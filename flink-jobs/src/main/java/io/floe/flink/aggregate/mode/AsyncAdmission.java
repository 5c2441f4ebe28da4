package io.floe.flink.aggregate.mode;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.validate.UpdateValidator;
import io.floe.core.validate.ValidationResult;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.ModelUpdate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How FedAsync and FedBuff admit an update: by staleness {@code tau = current - baseVersion}
 * instead of by round. An update already applied (same updateId as the client's last applied one)
 * or still pending in the mode is a redelivery and is ignored; a quarantined client's update is
 * rejected; then {@link UpdateValidator} runs with the staleness bound and the mode's own check.
 */
final class AsyncAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncAdmission.class);

    /** A mode's own admission check after the staleness bound; may read keyed state. */
    @FunctionalInterface
    interface ModeCheck {
        Optional<Rejection> check(String clientId, long baseVersion, ModelContext ctx) throws Exception;
    }

    /** Whether the mode still holds this very update (delivered again while pending). */
    @FunctionalInterface
    interface PendingCopy {
        boolean holds(ModelUpdate update) throws Exception;
    }

    private final ModelStates states;
    private final ModeCheck modeCheck;
    private final PendingCopy pending;

    AsyncAdmission(ModelStates states, ModeCheck modeCheck, PendingCopy pending) {
        this.states = states;
        this.modeCheck = modeCheck;
        this.pending = pending;
    }

    /** The update validated and decoded, or empty when it was rejected (dead-lettered) or is a redelivery. */
    Optional<ClientUpdate> admit(ModelUpdate update, InboundRecord origin, ModelContext ctx) throws Exception {
        String client = update.getClientId();
        if (states.applied().wasApplied(client, update.getUpdateId())) {
            LOG.debug("model {}: ignoring redelivered update {}", update.getModelId(), update.getUpdateId());
            return Optional.empty();
        }
        if (states.clients().quarantined(client)) {
            ctx.reject(update, origin, Rejection.of(RejectionReason.QUARANTINED, "client " + client
                    + " is quarantined for model " + update.getModelId() + " until an operator releases it"), true);
            return Optional.empty();
        }
        long current = ctx.current().getVersion();
        ValidationResult verdict = UpdateValidator.validate(update, ctx.currentWeights(), (c, base) -> {
            Optional<Rejection> stale = ctx.settings().async().admissionCheck(base, current);
            if (stale.isPresent()) {
                return stale;
            }
            try {
                return modeCheck.check(c, base, ctx);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, ctx.settings().drift().algorithm());
        if (verdict instanceof ValidationResult.Rejected rejected) {
            if (rejected.rejection().reason() == RejectionReason.DUPLICATE_CLIENT && pending.holds(update)) {
                return Optional.empty(); // redelivered while pending
            }
            ctx.reject(update, origin, rejected.rejection(), true);
            return Optional.empty();
        }
        return Optional.of(((ValidationResult.Accepted) verdict).update());
    }
}
