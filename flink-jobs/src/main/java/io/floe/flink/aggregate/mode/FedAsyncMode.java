package io.floe.flink.aggregate.mode;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.async.AsyncSettings;
import io.floe.core.server.ClosedRound;
import io.floe.core.server.FedAsyncStep;
import io.floe.core.server.RoundInput;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FedAsync (Xie et al. 2019): every accepted update is mixed into the model at once,
 * {@code (1 - alpha s(tau)) x + alpha s(tau) (x_base + Delta)} ({@link FedAsyncStep}), and a version
 * is published per update. {@code x_base} comes from the last versions kept in
 * {@link io.floe.flink.aggregate.state.VersionHistory}; an update from an older base is stale.
 */
public final class FedAsyncMode implements AggregationMode {
    private static final Logger LOG = LoggerFactory.getLogger(FedAsyncMode.class);

    private final ModelStates states;
    private final AsyncAdmission admission;

    public FedAsyncMode(ModelStates states) {
        this.states = states;
        this.admission = new AsyncAdmission(states, this::baseKept, update -> false);
    }

    /** An update is mixed with the weights of its base version, so that version must still be kept. */
    private Optional<Rejection> baseKept(String clientId, long base, ModelContext ctx) throws Exception {
        if (base < ctx.current().getVersion() && !states.history().holds(base)) {
            return Optional.of(Rejection.of(RejectionReason.STALE_UPDATE, "version " + base
                    + " is no longer kept to mix with (FedAsync keeps the last " + ctx.settings().async().versionsKept() + ")"));
        }
        return Optional.empty();
    }

    @Override
    public void onUpdate(ModelUpdate update, InboundRecord origin, ModelContext ctx) throws Exception {
        Optional<ClientUpdate> admitted = admission.admit(update, origin, ctx);
        if (admitted.isEmpty()) {
            return;
        }
        GlobalModel current = ctx.current();
        AsyncSettings async = ctx.settings().async();
        ModelWeights base = update.getBaseVersion() == current.getVersion() ? ctx.currentWeights()
                : states.history().weights(update.getBaseVersion());
        ClosedRound step = new FedAsyncStep(base).close(RoundInput.of(current, ctx.currentWeights(), ctx.spec(), ctx.settings(),
                List.of(admitted.get()), states.rejections().all(), ctx.now()));
        states.rejections().clear();
        states.applied().applied(update.getClientId(), update.getUpdateId());
        states.history().supersede(current.getVersion(), states.model().currentBytes(), step.model().getVersion(),
                async.versionsKept());
        ctx.publish(step.model());
        step.report().setUplinkBytes(origin.value.length);
        step.report().setDenseUplinkBytes(StoredUpdates.denseBytes(update, origin.value.length));
        ctx.out().report(step.report());
        LOG.debug("model {}: {} -> version {}", ctx.modelId(), step.report().getNote(), step.model().getVersion());
    }
}
