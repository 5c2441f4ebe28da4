package io.floe.flink.aggregate.mode;

import io.floe.core.anomaly.NormScores;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.privacy.CentralDp;
import io.floe.core.server.ChunkedDp;
import io.floe.core.server.ChunkedVersions;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.schema.AggregationReport;
import io.floe.schema.ModelUpdate;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Central DP at a chunked round's close, the Flink side of {@link ChunkedDp}: the members' norms
 * from the coordinator's state, the model's ledger ({@code privacy-ledger}) before and after, and,
 * when the budget is spent, the round that stops the model instead of closing.
 */
final class ChunkedPrivacy {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkedPrivacy.class);

    private ChunkedPrivacy() {
    }

    /** The round's DP plan, or null when the model has no central DP. */
    static ChunkedDp.Plan plan(ModelStates states, ChunkLayout layout, ModelContext ctx, byte[] secret) throws Exception {
        Optional<CentralDp> dp = ctx.settings().centralDp();
        if (dp.isEmpty()) {
            return null;
        }
        List<ModelUpdate> members = ChunkedScoring.members(states);
        List<NormScores.Norm> norms = ChunkedScoring.norms(members, states, layout);
        return ChunkedDp.plan(dp.get(), states.privacy().before(dp.get()), secret, ctx.modelId(), ctx.current().getVersion() + 1,
                norms, members);
    }

    /** A private round closed: its report says DP-FedAvg with the ledger's entry, and the ledger after it is kept (nothing for null). */
    static void record(ChunkedDp.Private dp, AggregationReport report, ModelStates states) throws Exception {
        if (dp == null) {
            return;
        }
        report.setRule("dp-fedavg");
        report.setPrivacy(dp.entry());
        states.privacy().store(dp.after());
    }

    /**
     * The budget is spent: the report says so with the ledger's entry, the ledger is stored
     * exhausted (the model takes no more updates) and the round's state is cleared; nothing is
     * published to the chunks, whose open sums are never closed.
     */
    static void stop(ChunkedDp.Exhausted exhausted, ModelStates states, ModelContext ctx) throws Exception {
        AggregationReport report = ChunkedVersions.report(ctx.current(), List.of(), states.rejections().all(), 0, exhausted.note(),
                ctx.now(), u -> 0);
        report.setRule("dp-fedavg");
        report.setPrivacy(exhausted.entry());
        ctx.out().report(report);
        states.privacy().store(exhausted.after());
        states.round().clear();
        states.rejections().clear();
        states.receipts().clearRound();
        states.deadline().cancel(ctx.timers());
        LOG.warn("model {}: {}", ctx.modelId(), exhausted.note());
    }
}
