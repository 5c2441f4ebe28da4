package io.floe.flink.aggregate.mode;

import io.floe.core.aggregate.AggregationRule;
import io.floe.core.aggregate.KrumSelection;
import io.floe.core.anomaly.AnomalyScorer;
import io.floe.core.anomaly.MedianCosines;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.DistanceShares;
import io.floe.core.server.ChunkedRoundWeights;
import io.floe.flink.aggregate.state.KrumSelectionState;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.shard.ChunkCommand;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateScore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-phase close of a chunked Krum, Multi-Krum or Bulyan round (issue 13, item 2). Krum
 * selects on the members' pairwise distances over all coordinates, which no chunk has, and no
 * chunk can fold before the selection; a Flink job has no iterations to send the answer back
 * upstream. So the close goes out in two steps:
 * <ol>
 *   <li>{@link #requestShares}: SCORE to every chunk with the members (sorted by update id). Each
 *       folder, once it holds its members' chunks, writes its share of the distances and of the
 *       cosines to the median to the job's chunk-scores topic, in the exactly-once sink
 *       ({@code ScoreShares}); the job's source reads it back (read_committed) after the
 *       checkpoint that wrote it, to this coordinator.
 *   <li>{@link #onShare}: once every chunk's share is in, they are added in chunk order
 *       ({@link DistanceShares}: the same bits at any parallelism), the rule selects
 *       ({@link KrumSelection}), and the {@link Decided} close goes to the chunks as the CLOSE.
 * </ol>
 * A round costs one checkpoint interval more than a FedAvg round; the folders hold the members'
 * chunks until the CLOSE (in RocksDB when the round is larger than the heap). A rule that cannot
 * run on the round's updates (Krum: K > 2f + 2; Bulyan: K >= 4f + 3) falls back to the median at
 * once, as the whole-update path does.
 */
final class KrumRounds {
    private static final Logger LOG = LoggerFactory.getLogger(KrumRounds.class);

    /** What the second step decided: the CLOSE's members and weights, and each member's Krum score and cosine. */
    record Decided(ChunkedRoundWeights round, List<UpdateScore> scores, String[] members, double[] cosines, String note) {
    }

    private final ModelStates states;

    KrumRounds(ModelStates states) {
        this.states = states;
    }

    /** Whether the model's rounds select by Krum scores (not under central DP, whose DP-FedAvg folds). */
    static boolean selects(ModelContext ctx) {
        return ctx.settings().centralDp().isEmpty() && KrumSelection.handles(ctx.settings().robustness().rule());
    }

    /** Why the model's Krum rule cannot run on {@code members}; null when it can. */
    static String problem(List<ModelUpdate> members, ModelContext ctx) {
        return KrumSelection.problem(ctx.settings().robustness().rule(), members.size());
    }

    /** Whether a round is between its SCORE and its CLOSE (it takes no update, receipt or deadline meanwhile). */
    boolean selecting() throws Exception {
        return states.krum().selecting() != null;
    }

    /** Step 1: SCORE to every chunk; the norm scores wait here for the report. */
    void requestShares(List<ModelUpdate> members, List<UpdateScore> normScores, String closeNote, ModelContext ctx) throws Exception {
        ChunkLayout layout = ChunkLayout.of(ctx.current().getChunks());
        long version = ctx.current().getVersion();
        String[] ids = sorted(members).stream().map(ModelUpdate::getUpdateId).toArray(String[]::new);
        states.krum().start(version, ids, closeNote, normScores);
        String rule = ctx.settings().robustness().rule().name();
        for (int i = 0; i < layout.count(); i++) {
            ctx.out().chunkCommand(ChunkCommand.score(ctx.modelId(), i, layout.count(), version, ids, rule));
        }
        states.deadline().cancel(ctx.timers());
        LOG.info("model {}: {} round on version {} with {} updates waits for the distance shares of its {} chunks", ctx.modelId(),
                rule, version, ids.length, layout.count());
    }

    /** Step 2: takes one chunk's share; once all are in, the selection. Null while shares are missing (or for a stale share). */
    Decided onShare(ChunkScoreShare share, ModelContext ctx) throws Exception {
        if (!states.krum().offer(share)) {
            return null;
        }
        ChunkLayout layout = ChunkLayout.of(ctx.current().getChunks());
        List<ChunkScoreShare> all = states.krum().all(layout.count());
        if (all == null) {
            return null;
        }
        KrumSelectionState.Selecting pending = states.krum().selecting();
        List<String> scored = Arrays.asList(pending.members);
        List<ModelUpdate> members = sorted(ChunkedScoring.members(states).stream().filter(u -> scored.contains(u.getUpdateId())).toList());
        String[] ids = members.stream().map(ModelUpdate::getUpdateId).toArray(String[]::new);
        if (!Arrays.equals(ids, pending.members)) {
            // nothing leaves a round while it selects (no drop, deadline or receipt takes effect); should one have, the
            // shares no longer fit its members: close on those left under the median, whose chunks the folders keep
            LOG.error("model {}: scored members {} are not all in the round; closing under the median", ctx.modelId(), scored);
            List<UpdateScore> normScores = states.krum().normScores();
            states.krum().clear();
            double[] none = new double[ids.length];
            Arrays.fill(none, Double.NaN);
            return new Decided(ChunkedRoundWeights.medianFallback(members, ctx.settings()), normScores, ids, none,
                    join(pending.note, "a member left the round while it was selected on; fell back to the coordinate-wise median"));
        }
        int k = ids.length;
        List<double[]> distances = new ArrayList<>(all.size());
        List<MedianCosines.Share> cosineShares = new ArrayList<>(all.size());
        for (ChunkScoreShare s : all) {
            distances.add(s.getSquaredDistances().stream().mapToDouble(Double::doubleValue).toArray());
            cosineShares.add(new MedianCosines.Share(s.getMedianDots().stream().mapToDouble(Double::doubleValue).toArray(),
                    s.getMedianSquares()));
        }
        double[][] d2 = DistanceShares.sum(distances, k);
        AggregationRule rule = ctx.settings().robustness().rule();
        long[] examples = members.stream().mapToLong(ModelUpdate::getNumExamples).toArray();
        String note = pending.note;
        String problem = KrumSelection.problem(rule, k);
        ChunkedRoundWeights round;
        if (problem == null) {
            KrumSelection.Selection selection = KrumSelection.select(rule, examples, d2);
            round = ChunkedRoundWeights.selected(members, ctx.settings(), selection);
            LOG.info("model {}: {} selected {} of {} updates from {} chunks' distance shares", ctx.modelId(), selection.rule(),
                    selection.chosen().length, k, layout.count());
        } else if (KrumSelection.handles(rule)) { // a spec changed f while the shares were on their way
            round = ChunkedRoundWeights.medianFallback(members, ctx.settings());
            note = join(note, rule.name() + " could not run on " + k + " updates (" + problem + "); fell back to the coordinate-wise median");
        } else { // a spec changed the rule while the shares were on their way: the folders kept the chunks, any rule can close
            round = ChunkedRoundWeights.of(members, ctx.settings());
            note = join(note, "the rule changed to " + rule.name() + " while the round waited for its Krum selection; closed under "
                    + rule.name());
        }
        double[] krum = AnomalyScorer.krumScores(d2, ctx.settings().robustness().parameters().byzantineClients());
        List<UpdateScore> scores = new ArrayList<>();
        double[] norms = new double[k];
        for (UpdateScore s : states.krum().normScores()) {
            int at = Arrays.asList(ids).indexOf(s.getUpdateId());
            if (at >= 0) {
                norms[at] = s.getL2Norm();
                s = UpdateScore.newBuilder(s).setKrumScore(krum[at]).build();
            }
            scores.add(s);
        }
        double[] cosines = MedianCosines.cosines(cosineShares, norms);
        states.krum().clear();
        return new Decided(round, scores, ids, cosines, note);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    private static List<ModelUpdate> sorted(List<ModelUpdate> members) {
        List<ModelUpdate> out = new ArrayList<>(members);
        out.sort(Comparator.comparing(ModelUpdate::getUpdateId));
        return out;
    }
}
