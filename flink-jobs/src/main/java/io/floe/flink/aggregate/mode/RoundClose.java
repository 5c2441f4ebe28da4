package io.floe.flink.aggregate.mode;

import io.floe.core.async.FedBuffStep;
import io.floe.core.privacy.CentralDp;
import io.floe.core.round.AggregationSettings;
import io.floe.core.round.RoundCloser;
import io.floe.flink.aggregate.state.ModelStates;
import java.util.Map;

/**
 * Closes a sync round or a FedBuff buffer from what the state holders keep: the stored updates,
 * the pending rejections, the server optimizer's moments and, with central DP, the privacy ledger
 * and the noise secret.
 */
final class RoundClose {
    private final ModelStates states;
    /** Keys the HMAC that seeds central-DP noise per (model, version); see NoiseSeed. */
    private final byte[] dpNoiseSecret;

    RoundClose(ModelStates states, byte[] dpNoiseSecret) {
        this.states = states;
        this.dpNoiseSecret = dpNoiseSecret;
    }

    /** A sync round: DP-FedAvg when the model has central DP. */
    RoundCloser.ClosedRound close(StoredUpdates stored, ModelContext ctx) throws Exception {
        AggregationSettings settings = ctx.settings();
        RoundCloser.PrivacyRound privacy = null;
        if (settings.centralDp().isPresent()) {
            CentralDp dp = settings.centralDp().get();
            privacy = new RoundCloser.PrivacyRound(dp, states.privacy().before(dp), dpNoiseSecret);
        }
        return RoundCloser.close(ctx.current(), ctx.currentWeights(), ctx.spec(), settings, stored.updates(),
                states.rejections().all(), ctx.now(), privacy, drift(stored, ctx));
    }

    /** A FedBuff buffer, each delta weighted by its staleness and by its client's participation correction. */
    RoundCloser.ClosedRound closeBuffer(StoredUpdates stored, Map<String, Double> corrections, ModelContext ctx) throws Exception {
        return FedBuffStep.close(ctx.current(), ctx.currentWeights(), ctx.spec(), ctx.settings(), stored.updates(),
                states.rejections().all(), ctx.now(), drift(stored, ctx), corrections);
    }

    private RoundCloser.DriftInputs drift(StoredUpdates stored, ModelContext ctx) throws Exception {
        return new RoundCloser.DriftInputs(states.optimizer().stored(ctx.settings().serverOptimizer(), ctx.modelId()),
                stored.controlDeltas());
    }
}
