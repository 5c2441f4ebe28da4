package io.floe.flink.aggregate.mode;

import io.floe.core.anomaly.AnomalyPolicy;
import io.floe.core.anomaly.Decision;
import io.floe.core.anomaly.NormScores;
import io.floe.core.anomaly.UpdateScores;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.WireCodec;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateScore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The anomaly check of a chunked round at its close: every complete update scored by its norm
 * ({@link NormScores}, from the squared sums routing computed per chunk and the coordinator keeps
 * in {@code chunk-norms}), judged by the model's {@link AnomalyPolicy}, and each rejected one taken
 * out as a whole before the CLOSE goes to the chunks. On the chunked path the policy is {@code flag},
 * so what is rejected is an update whose norm per step is over {@code maxNormRatio} times the
 * round's median (issue 14's safe default, now on this path too).
 */
final class ChunkedScoring {
    /** How the round takes an update out (ShardedRounds.drop). */
    interface Drop {
        void drop(ModelUpdate header, RejectionReason reason, String detail, InboundRecord where, ModelContext ctx) throws Exception;
    }

    /** Noted in each report of a chunked FedAvg round: its chunks are folded as they land, so no cosine. */
    static final String NORMS_ONLY_NOTE = "chunked fedavg rounds are scored by their norms alone (the cosine to the median needs the"
            + " members' chunks, which fedavg folds as they land); Krum scores under the Krum rules only";
    /** Noted in each report of a chunked median or trimmed-mean round (the manifest writer adds the cosines). */
    static final String COSINE_NOTE = "cosines to the coordinate-wise median from the chunks' partial sums; Krum scores under the"
            + " Krum rules only";

    /** Noted in each report of a chunked Krum, Multi-Krum or Bulyan round (issue 13). */
    static final String KRUM_NOTE = "Krum scores and cosines to the coordinate-wise median from the chunks' partial sums";

    private ChunkedScoring() {
    }

    /** The report's note on its scores: with cosines (a coordinate-wise rule's folders send their shares) or norms alone. */
    static String note(boolean cosines) {
        return cosines ? COSINE_NOTE : NORMS_ONLY_NOTE;
    }

    /** Scores the round's updates, drops the rejected ones, and returns every score and decision for the report. */
    static List<UpdateScore> scoreAndReject(ModelStates states, ChunkLayout layout, ModelContext ctx, Drop drop) throws Exception {
        Map<String, ModelUpdate> byId = new HashMap<>();
        List<ModelUpdate> members = members(states);
        members.forEach(u -> byId.put(u.getUpdateId(), u));
        List<NormScores.Norm> norms = norms(members, states, layout);
        AnomalyPolicy policy = ctx.settings().robustness().anomalyPolicy();
        List<UpdateScore> out = new ArrayList<>();
        for (UpdateScores score : NormScores.of(norms)) {
            AnomalyPolicy.Verdict verdict = policy.judge(score);
            if (verdict.decision() == Decision.REJECT) {
                drop.drop(byId.get(score.updateId()), RejectionReason.ANOMALOUS_UPDATE, "update " + score.updateId() + ": "
                        + verdict.reason(), new InboundRecord(ctx.out().topics().updates(), -1, -1, ctx.now().toEpochMilli(), null, null), ctx);
            }
            out.add(UpdateScore.newBuilder().setUpdateId(score.updateId()).setClientId(score.clientId()).setL2Norm(score.l2Norm())
                    .setNormZ(score.normZ()).setCosineToMedian(score.cosineToMedian()).setKrumScore(score.krumScore())
                    .setDecision(verdict.decision().name()).setReason(verdict.reason()).build());
        }
        return out;
    }

    /** The round's complete updates (headers), as the coordinator keeps them. */
    static List<ModelUpdate> members(ModelStates states) throws Exception {
        List<ModelUpdate> out = new ArrayList<>();
        for (byte[] stored : states.round().updates()) {
            out.add(WireCodec.MODEL_UPDATE.decode(stored));
        }
        return out;
    }

    /** Each member's squared norm, its chunks' shares added in chunk order ({@code chunk-norms}). */
    static List<NormScores.Norm> norms(List<ModelUpdate> members, ModelStates states, ChunkLayout layout) throws Exception {
        List<NormScores.Norm> out = new ArrayList<>();
        for (ModelUpdate u : members) {
            out.add(new NormScores.Norm(u.getUpdateId(), u.getClientId(), u.getLocalSteps(),
                    states.receipts().squaredNormOf(u.getUpdateId(), layout.count())));
        }
        return out;
    }
}
