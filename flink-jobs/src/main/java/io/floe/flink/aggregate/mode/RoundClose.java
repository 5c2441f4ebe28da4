package io.floe.flink.aggregate.mode;

import io.floe.core.privacy.CentralDp;
import io.floe.core.server.AggregationStep;
import io.floe.core.server.CentralDpStep;
import io.floe.core.server.ClosedRound;
import io.floe.core.server.FedBuffStep;
import io.floe.core.server.RoundInput;
import io.floe.core.server.ServerRound;
import io.floe.core.settings.AggregationSettings;
import io.floe.flink.aggregate.state.ModelStates;
import java.util.Map;

/**
 * Closes a sync round or a FedBuff buffer with the model's {@link AggregationStep}: the plain
 * {@link ServerRound}, decorated by {@link CentralDpStep} when the model has central DP (as
 * Flower wraps a strategy for DP) or by {@link FedBuffStep} for a buffer. The step's one
 * {@link RoundInput} is assembled here from what the state holders keep: the stored updates, the
 * pending rejections, the server optimizer's moments and, with central DP, the ledger.
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
    ClosedRound close(StoredUpdates stored, ModelContext ctx) throws Exception {
        AggregationSettings settings = ctx.settings();
        AggregationStep step = new ServerRound();
        if (settings.centralDp().isPresent()) {
            CentralDp dp = settings.centralDp().get();
            step = new CentralDpStep(dp, states.privacy().before(dp), dpNoiseSecret);
        }
        return step.close(input(stored, ctx));
    }

    /** A FedBuff buffer, each delta weighted by its staleness and by its client's participation correction. */
    ClosedRound closeBuffer(StoredUpdates stored, Map<String, Double> corrections, ModelContext ctx) throws Exception {
        return new FedBuffStep().close(input(stored, ctx).withParticipationCorrections(corrections));
    }

    private RoundInput input(StoredUpdates stored, ModelContext ctx) throws Exception {
        return RoundInput.of(ctx.current(), ctx.currentWeights(), ctx.spec(), ctx.settings(), stored.updates(),
                        states.rejections().all(), ctx.now())
                .withOptimizerState(states.optimizer().stored(ctx.settings().drift().serverOptimizer(), ctx.modelId()))
                .withControlDeltas(stored.controlDeltas());
    }
}
