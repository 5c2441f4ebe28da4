package io.floe.flink.aggregate.mode;

import io.floe.core.chunk.ChunkLayout;
import io.floe.core.round.ClientSelection;
import io.floe.core.server.ChunkedCosineReport;
import io.floe.core.server.ChunkedDp;
import io.floe.core.server.ChunkedRoundWeights;
import io.floe.core.server.ChunkedVersions;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.schema.AggregationReport;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateScore;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The close of a chunked sync round, once {@link ShardedRounds} has its members complete: central
 * DP's plan ({@link ChunkedPrivacy}), the norm scores and the rejections they bring
 * ({@link ChunkedScoring}), what every chunk is told ({@link ChunkedRoundWeights},
 * {@link CloseCommands}), and the next version with its report to the manifest writer. Under Krum,
 * Multi-Krum or Bulyan the close takes two steps ({@link KrumRounds}): SCORE to the chunks, and the
 * CLOSE once their distance shares are back.
 */
final class ChunkedRoundClose {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkedRoundClose.class);
    private final ModelStates states;
    private final byte[] dpNoiseSecret;
    private final ChunkedScoring.Drop drop;
    private final KrumRounds krum;

    /** @param drop how the round takes a rejected update out as a whole */
    ChunkedRoundClose(ModelStates states, byte[] dpNoiseSecret, ChunkedScoring.Drop drop) {
        this.states = states;
        this.dpNoiseSecret = dpNoiseSecret;
        this.drop = drop;
        this.krum = new KrumRounds(states);
    }

    /** Whether a Krum-family round is between its SCORE and its CLOSE (it takes no update, receipt or deadline meanwhile). */
    boolean selecting() throws Exception {
        return krum.selecting();
    }

    /**
     * Closes the round on its complete members: CLOSE to every chunk (members, their n_k, n and
     * eta_g), then the next version and its report to the manifest writer.
     */
    void close(String closeNote, ModelContext ctx) throws Exception {
        ChunkLayout layout = ChunkLayout.of(ctx.current().getChunks());
        ChunkedDp.Plan privately = ChunkedPrivacy.plan(states, layout, ctx, dpNoiseSecret);
        if (privately instanceof ChunkedDp.Exhausted exhausted) {
            ChunkedPrivacy.stop(exhausted, states, ctx);
            return;
        }
        // DP reports no per-update scores: they would publish un-noised facts about single clients
        List<UpdateScore> scores = privately == null ? ChunkedScoring.scoreAndReject(states, layout, ctx, drop) : List.of();
        List<ModelUpdate> members = ChunkedScoring.members(states);
        ChunkedDp.Private dp = (ChunkedDp.Private) privately;
        ChunkedRoundWeights round;
        if (dp != null) {
            round = ChunkedRoundWeights.dpFedAvg(members, ctx.settings(), dp.denominator());
        } else if (KrumRounds.selects(ctx) && KrumRounds.problem(members, ctx) == null) {
            krum.requestShares(members, scores, closeNote, ctx); // the CLOSE follows once the chunks' shares are in
            return;
        } else if (KrumRounds.selects(ctx)) {
            round = ChunkedRoundWeights.medianFallback(members, ctx.settings());
            closeNote = join(closeNote, ctx.settings().robustness().rule().name() + " could not run on " + members.size()
                    + " updates (" + KrumRounds.problem(members, ctx) + "); fell back to the coordinate-wise median");
        } else {
            round = ChunkedRoundWeights.of(members, ctx.settings());
        }
        finish(closeNote, scores, round, dp, null, ctx);
    }

    /** A Krum-family round's CLOSE, once every chunk's share of its distances is in ({@link KrumRounds}). */
    void onScoreShare(ChunkScoreShare share, ModelContext ctx) throws Exception {
        KrumRounds.Decided decided = krum.onShare(share, ctx);
        if (decided != null) {
            finish(decided.note(), decided.scores(), decided.round(), null, decided, ctx);
        }
    }

    /**
     * CLOSE to every chunk (members, their n_k, n and eta_g), then the next version and its report
     * to the manifest writer; the round's state is cleared and the next round's deadline armed.
     */
    private void finish(String closeNote, List<UpdateScore> scores, ChunkedRoundWeights round, ChunkedDp.Private dp,
            KrumRounds.Decided krumDecided, ModelContext ctx) throws Exception {
        GlobalModel current = ctx.current();
        ChunkLayout layout = ChunkLayout.of(current.getChunks());
        List<ModelUpdate> members = round.members();
        long uplink = 0;
        for (ModelUpdate u : members) {
            uplink += states.receipts().bytesOf(u.getUpdateId());
        }
        CloseCommands.send(ctx, layout, round, dp);
        GlobalModel next = ChunkedVersions.next(current, ctx.spec(), members, ctx.now());
        ClientSelection.Selection selection = states.clients().selection(ctx.spec(), ctx.settings(), next.getVersion(), ctx.now());
        next.setSelection(selection.clients());
        boolean cosines = dp == null && io.floe.core.chunk.CoordinateWiseChunk.sharesCosines(round.rule());
        String scoresNote = dp != null ? "" : krumDecided != null ? ChunkedScoring.KRUM_NOTE : ChunkedScoring.note(cosines);
        String note = join(join(closeNote, scoresNote), selection.note());
        AggregationReport report = ChunkedVersions.report(current, members, states.rejections().all(), uplink, note, ctx.now(),
                round::reportedWeight);
        report.setScores(scores);
        if (krumDecided != null) {
            report = ChunkedCosineReport.withCosines(report, krumDecided.members(), krumDecided.cosines(),
                    ctx.settings().robustness().anomalyPolicy());
        }
        ChunkedPrivacy.record(dp, report, states);
        states.model().storeVersion(next);
        ctx.out().chunkedVersion(next, report, cosines ? ctx.settings().robustness().anomalyPolicy() : null);
        states.round().clear();
        states.rejections().clear();
        states.receipts().clearRound();
        states.deadline().armNext(ctx.settings().round().deadline(), ctx.timers());
        LOG.info("model {}: closed chunked round on version {} with {} updates ({} chunks), version {} goes out as the chunks fold",
                ctx.modelId(), current.getVersion(), members.size(), layout.count(), next.getVersion());
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
    }

}
