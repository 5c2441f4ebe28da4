package io.floe.flink.aggregate.mode;


import io.floe.core.chunk.ChunkLayout;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.FedNova;
import io.floe.core.round.ChunkedAdmission;
import io.floe.core.round.RoundDeadline;
import io.floe.core.round.SyncRound;
import io.floe.core.server.ChunkedVersions;
import io.floe.core.server.ReportBuilder;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.WireCodec;
import io.floe.flink.aggregate.Outputs;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.shard.ChunkCommand;
import io.floe.flink.shard.ChunkReceipt;
import io.floe.schema.AggregationReport;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync rounds of a chunked model: the coordinator's side of the sharded path. An update is a
 * header (a ModelUpdate with a ChunkManifest) and chunk records that go straight to their
 * {@link io.floe.flink.shard.ChunkFolder}s. The header joins the round as in {@link SyncRounds}
 * (base version, one update per client, selection, quarantine), and every chunk is told to fold
 * the update (ADMIT). Routing's receipts say what each chunk holds; an update is complete when every
 * chunk's SHA-256 and size match its manifest and its values can be folded. A mismatch drops the
 * whole update (one dead letter naming the chunk, a DROP to every chunk), as does a chunk still
 * missing at the round's deadline. When the round has its clients and all of them are complete,
 * every chunk is told to CLOSE (members, n_k, eta_g, the rule: fedavg folds, median and trimmed mean
 * run per chunk on the kept chunks; Krum, Multi-Krum and Bulyan first collect the chunks' distance
 * shares) and the next version and its report go to the {@link io.floe.flink.shard.ManifestWriter}:
 * {@link ChunkedRoundClose}.
 *
 * <p>No update is held here (headers only: bytes, not tensors), so the coordinator's state is
 * O(K) and the model's O(d) lives across the folders.
 */
public final class ShardedRounds implements AggregationMode {
    private static final Logger LOG = LoggerFactory.getLogger(ShardedRounds.class);
    private final ModelStates states;
    private final ChunkedRoundClose closer;

    /** @param dpNoiseSecret the secret central DP's noise seeds are derived from (per version and chunk) */
    public ShardedRounds(ModelStates states, byte[] dpNoiseSecret) {
        this.states = states;
        this.closer = new ChunkedRoundClose(states, dpNoiseSecret.clone(), this::drop);
    }

    /** Version 0 of a chunked model: every chunk's slice from the spec (INIT) and the manifest with its CREATED report. */
    public void create(ModelSpec spec, GlobalModel v0, String note, Outputs out) throws Exception {
        ChunkLayout layout = ChunkLayout.of(v0.getChunks());
        for (int i = 0; i < layout.count(); i++) {
            out.chunkCommand(ChunkCommand.init(spec.getModelId(), i, layout.count(), 0, layout.length(i),
                    ChunkedVersions.initialSlice(spec, layout, i)));
        }
        states.model().storeVersion(v0);
        AggregationReport created = ReportBuilder.created(v0, io.floe.core.async.AsyncMode.SYNC, note);
        out.chunkedVersion(v0, created);
    }

    @Override
    public void onUpdate(ModelUpdate update, InboundRecord origin, ModelContext ctx) throws Exception {
        if (states.applied().wasApplied(update.getClientId(), update.getUpdateId())) {
            return;
        }
        GlobalModel current = ctx.current();
        ChunkLayout layout = ChunkLayout.of(current.getChunks());
        if (closer.selecting()) {
            refuseWhileSelecting(update, origin, layout, ctx);
            return;
        }
        states.deadline().ensure(deadlineRule(ctx), ctx.timers());
        SyncRound round = openRound(ctx);
        String client = update.getClientId();
        Optional<Rejection> problem = ChunkedAdmission.problem(update, layout, round);
        if (problem.isEmpty() && fedNova(ctx) && update.getLocalSteps() < 1) {
            problem = Optional.of(Rejection.of(RejectionReason.INVALID_LOCAL_STEPS, "FedNova normalises by local steps; update "
                    + update.getUpdateId() + " reports " + update.getLocalSteps()));
        }
        if (problem.isPresent()) {
            if (problem.get().reason() == RejectionReason.DUPLICATE_CLIENT && states.round().updateOf(client) != null
                    && update.getUpdateId().equals(states.round().updateIdOf(client))) {
                return; // the same header delivered again
            }
            ctx.reject(update, origin, problem.get(), true);
            if (update.getChunks() != null && update.getUpdateId() != null) {
                CloseCommands.dropEverywhere(update.getUpdateId(), layout, current.getVersion(), ctx); // its chunks may be waiting at their folders
            }
            return;
        }
        if (current.getSelection() != null && !current.getSelection().contains(client)) {
            ctx.reject(update, origin, Rejection.of(RejectionReason.NOT_SELECTED, "client " + client
                    + " is not in the selection of version " + current.getVersion()), true);
            CloseCommands.dropEverywhere(update.getUpdateId(), layout, current.getVersion(), ctx);
            return;
        }
        if (states.clients().quarantined(client)) {
            ctx.reject(update, origin, Rejection.of(RejectionReason.QUARANTINED, "client " + client
                    + " is quarantined for model " + update.getModelId() + " until an operator releases it"), true);
            CloseCommands.dropEverywhere(update.getUpdateId(), layout, current.getVersion(), ctx);
            round.exclude(client);
            states.round().exclude(client);
            closeIfComplete(ctx);
            return;
        }
        round.accept(client);
        states.round().accept(client, origin.value);
        states.receipts().admit(update.getUpdateId(), client, origin.value.length);
        double divisor = fedNova(ctx) ? FedNova.normalizingFactor(update.getLocalSteps(), localMomentum(ctx)) : 1.0;
        for (int i = 0; i < layout.count(); i++) {
            // DP-FedAvg weighs every client alike (McMahan et al. 2018): each update folds with weight 1
            ChunkCommand admit = ChunkCommand.admit(ctx.modelId(), i, layout.count(), current.getVersion(), update.getUpdateId(),
                    ctx.settings().centralDp().isPresent() ? 1 : update.getNumExamples(), ruleName(ctx));
            admit.divisor = divisor;
            ctx.out().chunkCommand(admit);
        }
        for (ChunkReceipt early : states.receipts().takeEarly(update.getUpdateId(), layout.count())) {
            if (!check(early, null, ctx)) {
                break;
            }
        }
        closeIfComplete(ctx);
    }

    /** An update while the round on the current version waits for its Krum selection: that round has closed to it. */
    private void refuseWhileSelecting(ModelUpdate update, InboundRecord origin, ChunkLayout layout, ModelContext ctx) throws Exception {
        String client = update.getClientId();
        if (client != null && update.getUpdateId() != null && update.getUpdateId().equals(states.round().updateIdOf(client))) {
            return; // a member's header delivered again
        }
        ctx.reject(update, origin, Rejection.of(RejectionReason.LATE_UPDATE, "the round on version " + ctx.current().getVersion()
                + " has closed and waits for its Krum selection; train on the next version"), true);
        if (update.getChunks() != null && update.getUpdateId() != null) {
            CloseCommands.dropEverywhere(update.getUpdateId(), layout, ctx.current().getVersion(), ctx);
        }
    }

    /** A chunk passed routing: checked against its header's manifest, or held until the header comes. */
    public void onReceipt(ChunkReceipt receipt, InboundRecord origin, ModelContext ctx) throws Exception {
        if (states.receipts().clientOf(receipt.updateId) == null) {
            if (!states.receipts().holdEarly(receipt)) {
                ctx.out().deadLetter(origin, Rejection.of(RejectionReason.ORPHAN_CHUNK, "chunk " + receipt.index + " of update "
                        + receipt.updateId + ": too many chunks wait for headers that have not come"), ctx.modelId(), null, receipt.updateId);
            }
            return;
        }
        check(receipt, origin, ctx);
        closeIfComplete(ctx); // a dropped update's seat stays taken: the round may be complete either way
    }

    /** Verifies one receipt of an admitted update; drops the update and returns false on a mismatch. */
    private boolean check(ChunkReceipt receipt, InboundRecord origin, ModelContext ctx) throws Exception {
        String client = states.receipts().clientOf(receipt.updateId);
        ModelUpdate header = WireCodec.MODEL_UPDATE.decode(states.round().updateOf(client));
        ChunkLayout layout = ChunkLayout.of(ctx.current().getChunks());
        if (receipt.index < 0 || receipt.index >= layout.count() || states.receipts().seen(receipt.updateId, receipt.index)) {
            return true; // not a chunk of this layout, or one counted already: nothing to fold either way
        }
        String mismatch = ReceiptCheck.mismatch(receipt, header, layout);
        if (mismatch != null) {
            InboundRecord where = origin != null ? origin : new InboundRecord(ctx.out().topics().updates(), -1, -1,
                    ctx.now().toEpochMilli(), null, null);
            drop(header, RejectionReason.CHUNK_MISMATCH, "chunk " + receipt.index + " of update " + receipt.updateId + ": "
                    + mismatch + "; the whole update is dropped", where, ctx);
            return false;
        }
        states.receipts().verified(receipt.updateId, receipt.index, receipt.dataBytes, receipt.squaredNorm);
        return true;
    }

    /** Takes an admitted update out of the round as a whole: dead letter, report entry, DROP to every chunk; its seat stays taken. */
    void drop(ModelUpdate header, RejectionReason reason, String detail, InboundRecord where, ModelContext ctx) throws Exception {
        ctx.reject(header, where, Rejection.of(reason, detail), true);
        ChunkLayout layout = ChunkLayout.of(ctx.current().getChunks());
        CloseCommands.dropEverywhere(header.getUpdateId(), layout, ctx.current().getVersion(), ctx);
        states.round().drop(header.getClientId());
        states.receipts().forget(header.getUpdateId(), layout.count());
        LOG.warn("model {}: {}", ctx.modelId(), detail);
    }

    @Override
    public void onTimer(long timestamp, ModelContext ctx) throws Exception {
        if (!states.deadline().isPending(timestamp) || closer.selecting()) {
            return;
        }
        RoundDeadline rule = deadlineRule(ctx);
        if (!rule.enabled()) {
            states.deadline().clear();
            return;
        }
        ChunkLayout layout = ChunkLayout.of(ctx.current().getChunks());
        List<Map.Entry<String, String>> members = new ArrayList<>();
        states.receipts().members().forEach(members::add);
        for (Map.Entry<String, String> m : members) {
            int have = states.receipts().verifiedCount(m.getKey());
            if (have < layout.count()) {
                ModelUpdate header = WireCodec.MODEL_UPDATE.decode(states.round().updateOf(m.getValue()));
                drop(header, RejectionReason.MISSING_CHUNK, "update " + m.getKey() + " of client " + m.getValue() + " had "
                        + have + " of its " + layout.count() + " chunks when the round's deadline passed; the whole update is dropped",
                        new InboundRecord(ctx.out().topics().updates(), -1, -1, timestamp, null, null), ctx);
            }
        }
        SyncRound round = openRound(ctx);
        if (round.clientsPerRound() < rule.minFitClients()) {
            rule = new RoundDeadline(rule.deadlineMs(), round.clientsPerRound());
        }
        if (rule.atDeadline(round) == RoundDeadline.Verdict.CLOSE) {
            closer.close(rule.closedNote(round, timestamp), ctx);
            return;
        }
        long extended = states.deadline().extend(rule, timestamp, ctx.timers());
        String note = rule.extensionNote(round, timestamp, extended);
        ctx.out().report(ReportBuilder.extended(ctx.current(), ctx.spec(), note, ctx.now()));
        LOG.warn("model {}: {}", ctx.modelId(), note);
    }

    @Override
    public void onSpec(ModelContext ctx) throws Exception {
        RoundDeadline rule = deadlineRule(ctx);
        if (!rule.enabled()) {
            states.deadline().cancel(ctx.timers());
        } else {
            states.deadline().ensure(rule, ctx.timers());
        }
        closeIfComplete(ctx);
    }

    @Override
    public void onDropped(ModelContext ctx) throws Exception {
        states.deadline().cancel(ctx.timers());
    }

    /** A Krum-family round's CLOSE, once every chunk's share of its distances is in ({@link KrumRounds}). */
    public void onScoreShare(ChunkScoreShare share, ModelContext ctx) throws Exception {
        closer.onScoreShare(share, ctx);
    }

    private void closeIfComplete(ModelContext ctx) throws Exception {
        if (closer.selecting() || !openRound(ctx).isComplete()) {
            return;
        }
        int chunks = ChunkLayout.of(ctx.current().getChunks()).count();
        for (Map.Entry<String, String> m : states.receipts().members()) {
            if (states.receipts().verifiedCount(m.getKey()) < chunks) {
                return;
            }
        }
        closer.close("", ctx);
    }

    private static boolean fedNova(ModelContext ctx) {
        return ctx.settings().drift().algorithm().kind() == DriftAlgorithm.Kind.FEDNOVA;
    }

    private static double localMomentum(ModelContext ctx) {
        return ctx.settings().drift().algorithm().localMomentum();
    }

    /** The model's rule by its canonical name (fedavg, median, trimmed-mean); fedavg under central DP (DP-FedAvg folds). */
    private static String ruleName(ModelContext ctx) {
        return ctx.settings().centralDp().isPresent() ? "fedavg" : ctx.settings().robustness().rule().name();
    }

    private static RoundDeadline deadlineRule(ModelContext ctx) {
        return ctx.settings().round().deadline();
    }

    private SyncRound openRound(ModelContext ctx) throws Exception {
        return states.round().round(ctx.current(), ctx.settings().round().clientsPerRound());
    }
}
