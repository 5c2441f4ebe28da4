package io.floe.flink.aggregate;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.async.AsyncMode;
import io.floe.core.async.AsyncSettings;
import io.floe.core.async.ParticipationIntervals;
import io.floe.core.async.ParticipationWeighting;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.OptimizerState;
import io.floe.core.round.ClientSelection;
import io.floe.core.round.RoundDeadline;
import io.floe.core.anomaly.Decision;
import io.floe.schema.AggregationReport;
import io.floe.core.round.SyncRound;
import io.floe.core.server.AggregationStep;
import io.floe.core.server.CentralDpStep;
import io.floe.core.server.ClosedRound;
import io.floe.core.server.FedAsyncStep;
import io.floe.core.server.FedBuffStep;
import io.floe.core.server.ModelVersions;
import io.floe.core.server.ReportBuilder;
import io.floe.core.server.RoundAggregation;
import io.floe.core.server.RoundInput;
import io.floe.core.server.ServerRound;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.settings.SpecValidator;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.validate.UpdateValidator;
import io.floe.core.validate.ValidationResult;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.core.anomaly.ClientStanding;
import io.floe.core.privacy.PrivacyLedger;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRelease;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-model server, keyed by model id: holds the model's spec, its current global model and
 * the open synchronous round in keyed state, and publishes version v+1 with its report when the
 * round is complete.
 *
 * <p>State is kept as Avro single-object bytes (the same encoding as the topics), so checkpoints
 * evolve with the schemas and Flink needs no serializer for Avro classes. The round's accepted
 * updates sit in a map keyed by client id (one update per client per round) and are decoded only
 * when the round closes; the round's rejections are kept for its report.
 *
 * <p>Every input that cannot be used goes out as a dead letter with a reason; no input makes this
 * function throw. Outputs (models, reports, dead letters) all leave through the collector as
 * {@link OutboundRecord}s naming their topic, so one exactly-once Kafka sink writes them together.
 *
 * <p>Round deadlines ({@link RoundDeadline}, {@code roundDeadlineMs > 0}): the open round's
 * deadline (processing time) sits in keyed state with a processing-time timer on it, both
 * checkpointed. A round is armed when its version is published; a model without a pending deadline
 * (state from before deadlines, or a spec that turns them on) is armed by its next spec or
 * update. When the timer fires the round closes through the same path as at clientsPerRound if it
 * has minFitClients accepted updates; otherwise the deadline is extended and an EXTENDED report
 * goes out. A timer whose time is not the deadline in state (a closed round's, or one of a
 * changed configuration) is ignored. A spec that changes roundDeadlineMs leaves a pending deadline
 * as it is (0 cancels it); the new timeout applies from the next round.
 *
 * <p>Drift algorithms and server optimizers ({@code algorithm}, {@code serverOptimizer}): the
 * server optimizer's moments ({@link OptimizerState}) sit in keyed state, one single-object
 * encoded Tensor per moment, next to the name of the optimizer that wrote them; a spec that
 * switches to another optimizer makes the next round start from its initial state. SCAFFOLD's
 * server control variate c needs no state of its own: it travels in the GlobalModel already held.
 * A spec that changes the drift algorithm drops the open round's updates (as a mode change does),
 * since they were validated for the old one (a scaffold round needs every update's control delta).
 *
 * <p>Client selection ({@code fractionFit < 1} or {@code minAvailableClients > 0}, sync mode):
 * heartbeats from floe.clients update each client's last-seen time (the heartbeat record's
 * timestamp, the clock this function uses for every input) in keyed state. When a version is
 * published, the clients seen within {@code clientTimeoutMs} and not quarantined are the
 * available ones, {@link ClientSelection} picks the version's selection from them (seed: the
 * spec's initSeed) and older entries are dropped. A round on a version with a selection completes
 * at {@code min(clientsPerRound, |selection|)} responses (and its deadline's quorum is capped the
 * same way), and an update from a client outside the selection is rejected (NOT_SELECTED). The
 * report of a round on such a version gives selectedClients and participationRate (accepted /
 * selected). Async modes publish no selection: every client may send updates at any time.
 *
 * <p>FedBuff participation weighting ({@code participationWeighting interval[:cap=C]}): each
 * client's participation history (last version, sum and count of its capped intervals) sits in
 * keyed state ({@code participation-intervals}); before a buffer step it is read into a
 * {@link ParticipationIntervals}, which records the buffer's updates and gives each buffered
 * client's correction for {@link FedBuffStep}, and the buffered clients' histories are written
 * back. A spec that changes the mode, the drift algorithm or the participation weighting clears it
 * (the histories stop being updated while weighting is off, so they would be stale).
 */
public class ModelAggregator extends KeyedProcessFunction<String, ModelEvent, OutboundRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelAggregator.class);

    private final TopicNames topics;
    private final DeadLetters deadLetters;
    /** Keys the HMAC that seeds central-DP noise per (model, version); see NoiseSeed. */
    private final byte[] dpNoiseSecret;

    private transient ValueState<byte[]> specState;
    private transient ValueState<byte[]> modelState;
    private transient MapState<String, byte[]> roundUpdates;
    private transient ListState<byte[]> roundRejections;
    /** Clients that responded to the open round but are excluded from it (quarantined). */
    private transient MapState<String, Boolean> roundExcluded;
    /** Per client: recent rejections and quarantine ({@link ClientStanding} packed in a long). */
    private transient MapState<String, Long> clientStandings;
    /** Central DP: the model's privacy ledger (PrivacyLedger bytes), absent without central DP. */
    private transient ValueState<byte[]> privacyLedger;
    /** Processing time at which the open round's deadline passes; absent without a pending deadline. */
    private transient ValueState<Long> roundDeadline;
    /** How often the open round's deadline has been extended (extensions back off); absent = 0. */
    private transient ValueState<Integer> roundExtensions;
    /** FedBuff: the buffered updates, keyed by {@code clientId@baseVersion}. */
    private transient MapState<String, byte[]> asyncBuffer;
    /** FedAsync: recent versions (GlobalModel bytes) by version, to mix a stale client's x_base + Delta. */
    private transient MapState<Long, byte[]> versionHistory;
    /** FedBuff participation weighting: per client {lastVersion, intervalSum, intervals} ({@link ParticipationIntervals}). */
    private transient MapState<String, long[]> participationIntervals;
    /** Async modes: each client's last applied updateId, so a redelivered update is applied once. */
    private transient MapState<String, String> lastAppliedUpdate;
    /** Name of the server optimizer whose moments {@link #optimizerMoments} holds; absent before the first round. */
    private transient ValueState<String> optimizerName;
    /** The server optimizer's state (OptimizerState.asWeights), one single-object encoded Tensor each. */
    private transient ListState<byte[]> optimizerMoments;
    /** Client selection: each client's last heartbeat time (ms), pruned when a version is published. */
    private transient MapState<String, Long> clientLastSeen;
    /** Decoded tensors of the current global model; a cache, checked against the version on use. */
    private transient Map<String, CachedModel> weightsCache;

    private record CachedModel(long version, ModelWeights weights) {
    }

    /** A job without central-DP models needs no secret: a random one is drawn (noise then not replayable). */
    public ModelAggregator(TopicNames topics) {
        this(topics, randomSecret());
    }

    public ModelAggregator(TopicNames topics, byte[] dpNoiseSecret) {
        this.topics = topics;
        this.deadLetters = new DeadLetters(topics);
        this.dpNoiseSecret = dpNoiseSecret.clone();
    }

    static byte[] randomSecret() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    @Override
    public void open(OpenContext openContext) {
        specState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("model-spec", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        modelState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("global-model", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        roundUpdates = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("round-updates", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        roundRejections = getRuntimeContext().getListState(
                new ListStateDescriptor<>("round-rejections", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        roundExcluded = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("round-excluded", Types.STRING, Types.BOOLEAN));
        privacyLedger = getRuntimeContext().getState(
                new ValueStateDescriptor<>("privacy-ledger", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        clientStandings = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("client-standings", Types.STRING, Types.LONG));
        roundDeadline = getRuntimeContext().getState(new ValueStateDescriptor<>("round-deadline", Types.LONG));
        roundExtensions = getRuntimeContext().getState(new ValueStateDescriptor<>("round-extensions", Types.INT));
        asyncBuffer = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("async-buffer", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        versionHistory = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("version-history", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        participationIntervals = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("participation-intervals", Types.STRING, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        lastAppliedUpdate = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("last-applied-update", Types.STRING, Types.STRING));
        optimizerName = getRuntimeContext().getState(new ValueStateDescriptor<>("server-optimizer", Types.STRING));
        optimizerMoments = getRuntimeContext().getListState(
                new ListStateDescriptor<>("server-optimizer-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        clientLastSeen = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("client-last-seen", Types.STRING, Types.LONG));
        weightsCache = new java.util.HashMap<>();
    }

    @Override
    public void processElement(ModelEvent event, Context ctx, Collector<OutboundRecord> out) throws Exception {
        Instant now = Instant.ofEpochMilli(ctx.timestamp() != null && ctx.timestamp() > 0 ? ctx.timestamp() : System.currentTimeMillis());
        switch (event.kind) {
            case SPEC -> onSpec(WireCodec.MODEL_SPEC.decode(event.origin.value), event.origin, now, ctx.timerService(), out);
            case RELEASE -> onRelease(WireCodec.CLIENT_RELEASE.decode(event.origin.value), event.origin, out);
            case UPDATE -> onUpdate(WireCodec.MODEL_UPDATE.decode(event.origin.value), event.origin, now, ctx.timerService(), out);
            case HEARTBEAT -> onHeartbeat(WireCodec.CLIENT_HEARTBEAT.decode(event.origin.value), now);
            default -> throw new IllegalStateException("unknown event kind " + event.kind);
        }
    }

    private void onSpec(ModelSpec spec, InboundRecord origin, Instant now, TimerService timers,
            Collector<OutboundRecord> out) throws Exception {
        SpecValidator.Result result = SpecValidator.validate(spec);
        if (result instanceof SpecValidator.Result.Invalid invalid) {
            out.collect(deadLetters.of(origin, invalid.rejection(), spec.getModelId(), null, null));
            return;
        }
        ModelWeights initial = ((SpecValidator.Result.Valid) result).initialWeights();
        byte[] currentBytes = modelState.value();
        if (currentBytes == null) {
            GlobalModel v0 = ModelVersions.versionZero(spec, initial, now);
            ClientSelection.Selection selection = selectionFor(spec, 0, now);
            v0.setSelection(selection.clients());
            if (!selection.note().isEmpty()) {
                LOG.info("model {}: {}", spec.getModelId(), selection.note());
            }
            specState.update(WireCodec.MODEL_SPEC.encode(spec));
            publishModel(v0, out);
            armNextDeadline(spec, timers);
            LOG.info("created model {} ({}), version 0 published", spec.getModelId(), spec.getArchitecture());
            return;
        }
        // An existing model: a spec reconfigures rule, round size and client training config;
        // weights and version stay. The tensor layout is the model's identity and cannot change.
        GlobalModel current = WireCodec.GLOBAL_MODEL.decode(currentBytes);
        if (!initial.sameLayout(weights(current))) {
            out.collect(deadLetters.of(origin, Rejection.of(RejectionReason.INVALID_SPEC,
                    "model " + spec.getModelId() + " exists with a different tensor layout; use a new modelId"),
                    spec.getModelId(), null, null));
            return;
        }
        ModelSpec previous = WireCodec.MODEL_SPEC.decode(specState.value());
        AsyncMode before = AsyncMode.parse(previous.getAggregation().getMode());
        AsyncMode after = AsyncMode.parse(spec.getAggregation().getMode());
        DriftAlgorithm algorithmBefore = AggregationSettings.algorithmOf(previous.getAggregation(), previous.getTraining());
        DriftAlgorithm algorithmAfter = AggregationSettings.algorithmOf(spec.getAggregation(), spec.getTraining());
        specState.update(WireCodec.MODEL_SPEC.encode(spec));
        LOG.info("reconfigured model {}: mode {}, rule {}, algorithm {}, server optimizer {}, {} clients per round",
                spec.getModelId(), after.configName(), spec.getAggregation().getRule(), algorithmAfter.toSpec(),
                spec.getAggregation().getServerOptimizer(), spec.getAggregation().getClientsPerRound());
        if (before != after || !algorithmBefore.equals(algorithmAfter)) {
            // Updates waiting under the old mode or algorithm (an open round, a partial buffer) are
            // not carried over: their clients train again on the next version.
            LOG.warn("model {}: mode {} -> {}, algorithm {} -> {}; {} pending round updates and {} buffered updates are dropped",
                    spec.getModelId(), before.configName(), after.configName(), algorithmBefore.toSpec(), algorithmAfter.toSpec(),
                    count(roundUpdates.keys()), count(asyncBuffer.keys()));
            roundUpdates.clear();
            roundExcluded.clear();
            asyncBuffer.clear();
            versionHistory.clear();
            participationIntervals.clear();
        } else if (!ParticipationWeighting.parse(previous.getAggregation().getParticipationWeighting())
                .equals(ParticipationWeighting.parse(spec.getAggregation().getParticipationWeighting()))) {
            LOG.info("model {}: participation weighting {} -> {}; participation histories start afresh", spec.getModelId(),
                    previous.getAggregation().getParticipationWeighting(), spec.getAggregation().getParticipationWeighting());
            participationIntervals.clear();
        }
        if (after != AsyncMode.SYNC) {
            cancelDeadline(timers);
            return;
        }
        if (!RoundDeadline.from(spec.getAggregation()).enabled()) {
            cancelDeadline(timers);
        } else if (!budgetExhausted()) {
            ensureDeadline(spec, timers);
        }
        closeIfComplete(spec, current, openRound(spec, current), now, timers, out);
    }

    private void onRelease(ClientRelease release, InboundRecord origin, Collector<OutboundRecord> out) throws Exception {
        Long bits = clientStandings.get(release.getClientId());
        if (bits == null || !new ClientStanding(bits).quarantined()) {
            out.collect(deadLetters.of(origin, Rejection.of(RejectionReason.INVALID_COMMAND,
                    "client " + release.getClientId() + " is not quarantined for model " + release.getModelId()),
                    release.getModelId(), release.getClientId(), null));
            return;
        }
        clientStandings.put(release.getClientId(), new ClientStanding(bits).released().bits());
        LOG.info("model {}: client {} released from quarantine by '{}'", release.getModelId(), release.getClientId(),
                release.getOperator());
    }

    /** Records that the client is available now; later heartbeats only move its time forward. */
    private void onHeartbeat(ClientHeartbeat heartbeat, Instant now) throws Exception {
        Long seen = clientLastSeen.get(heartbeat.getClientId());
        if (seen == null || seen < now.toEpochMilli()) {
            clientLastSeen.put(heartbeat.getClientId(), now.toEpochMilli());
        }
    }

    /**
     * The selection of the version about to be published: every client unless the model selects
     * (sync mode, fractionFit below 1 or a minimum of available clients); otherwise a selection among
     * the clients heard from within clientTimeoutMs and not quarantined. Drops stale heartbeats.
     */
    private ClientSelection.Selection selectionFor(ModelSpec spec, long version, Instant now) throws Exception {
        io.floe.schema.AggregationConfig config = spec.getAggregation();
        if (AsyncMode.parse(config.getMode()) != AsyncMode.SYNC
                || !ClientSelection.enabled(config.getFractionFit(), config.getMinAvailableClients())) {
            return ClientSelection.Selection.everyone();
        }
        List<String> available = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, Long> e : clientLastSeen.entries()) {
            if (now.toEpochMilli() - e.getValue() > config.getClientTimeoutMs()) {
                stale.add(e.getKey());
                continue;
            }
            Long standing = clientStandings.get(e.getKey());
            if (standing == null || !new ClientStanding(standing).quarantined()) {
                available.add(e.getKey());
            }
        }
        for (String c : stale) {
            clientLastSeen.remove(c);
        }
        return ClientSelection.select(available, spec.getInitSeed(), version, config.getFractionFit(),
                config.getMinFitClients(), config.getMinAvailableClients());
    }

    /** Sets a report's selectedClients and participationRate from the selection of the version its round trained on. */
    private static void reportParticipation(AggregationReport report, GlobalModel base) {
        if (base.getSelection() == null) {
            return;
        }
        int selected = base.getSelection().size();
        report.setSelectedClients(selected);
        report.setParticipationRate(selected == 0 ? 0.0 : report.getAccepted().size() / (double) selected);
    }

    private void onUpdate(ModelUpdate update, InboundRecord origin, Instant now, TimerService timers,
            Collector<OutboundRecord> out) throws Exception {
        byte[] specBytes = specState.value();
        byte[] modelBytes = modelState.value();
        if (specBytes == null || modelBytes == null) {
            reject(update, origin, Rejection.of(RejectionReason.UNKNOWN_MODEL,
                    "no ModelSpec has created model '" + update.getModelId() + "'"), false, out);
            return;
        }
        ModelSpec spec = WireCodec.MODEL_SPEC.decode(specBytes);
        GlobalModel current = WireCodec.GLOBAL_MODEL.decode(modelBytes);
        byte[] ledgerBytes = privacyLedger.value();
        if (ledgerBytes != null && PrivacyLedger.decode(ledgerBytes).exhausted()) {
            reject(update, origin, Rejection.of(RejectionReason.PRIVACY_BUDGET_EXHAUSTED, "model " + update.getModelId()
                    + " has spent its privacy budget and publishes no further versions"), false, out);
            return;
        }
        AggregationSettings settings = AggregationSettings.from(spec);
        if (settings.async().isAsync()) {
            onAsyncUpdate(update, origin, spec, settings, current, now, out);
            return;
        }
        ensureDeadline(spec, timers);
        SyncRound round = openRound(spec, current);
        if (current.getSelection() != null && update.getBaseVersion() == current.getVersion()
                && !current.getSelection().contains(update.getClientId())) {
            reject(update, origin, Rejection.of(RejectionReason.NOT_SELECTED, "client " + update.getClientId()
                    + " is not in the selection of version " + current.getVersion() + " (" + current.getSelection().size()
                    + " clients asked)"), true, out);
            return;
        }
        Long standing = clientStandings.get(update.getClientId());
        if (standing != null && new ClientStanding(standing).quarantined()) {
            reject(update, origin, Rejection.of(RejectionReason.QUARANTINED, "client " + update.getClientId()
                    + " is quarantined for model " + update.getModelId() + " until an operator releases it"), true, out);
            // A quarantined client's response still takes its seat, so the round can complete.
            if (round.admissionCheck(update.getClientId(), update.getBaseVersion()).isEmpty()) {
                round.exclude(update.getClientId());
                roundExcluded.put(update.getClientId(), Boolean.TRUE);
                closeIfComplete(spec, current, round, now, timers, out);
            }
            return;
        }
        ValidationResult verdict = UpdateValidator.validate(update, weights(current), round::admissionCheck, settings.drift().algorithm());
        if (verdict instanceof ValidationResult.Rejected rejected) {
            if (isRedelivery(update, rejected)) {
                // The same update again (a producer retry or a restarted trainer resending it):
                // the updateId is the idempotency key, so it is already counted once.
                LOG.debug("model {}: ignoring redelivered update {}", update.getModelId(), update.getUpdateId());
                return;
            }
            reject(update, origin, rejected.rejection(), true, out);
            return;
        }
        round.accept(update.getClientId());
        roundUpdates.put(update.getClientId(), origin.value);
        LOG.debug("model {} v{}: accepted update {} from {} ({}/{})", update.getModelId(), round.openVersion(),
                update.getUpdateId(), update.getClientId(), round.acceptedCount(), round.clientsPerRound());
        closeIfComplete(spec, current, round, now, timers, out);
    }

    /**
     * The open round's deadline timer. A timer whose time is not the pending deadline in state is
     * stale (its round closed at clientsPerRound, or the deadline was cancelled or extended) and
     * does nothing.
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutboundRecord> out) throws Exception {
        Long pending = roundDeadline.value();
        if (pending == null || pending != timestamp) {
            return;
        }
        byte[] specBytes = specState.value();
        byte[] modelBytes = modelState.value();
        if (specBytes == null || modelBytes == null || budgetExhausted()) {
            roundDeadline.clear();
            return;
        }
        ModelSpec spec = WireCodec.MODEL_SPEC.decode(specBytes);
        GlobalModel current = WireCodec.GLOBAL_MODEL.decode(modelBytes);
        RoundDeadline deadline = RoundDeadline.from(spec.getAggregation());
        if (!deadline.enabled()) {
            roundDeadline.clear();
            return;
        }
        TimerService timers = ctx.timerService();
        SyncRound round = openRound(spec, current);
        if (round.clientsPerRound() < deadline.minFitClients()) {
            // a selection smaller than minFitClients (too few clients were available): all of it is a quorum
            deadline = new RoundDeadline(deadline.deadlineMs(), round.clientsPerRound());
        }
        Instant now = Instant.ofEpochMilli(timestamp);
        if (deadline.atDeadline(round) == RoundDeadline.Verdict.CLOSE) {
            closeRound(spec, current, round, now, deadline.closedNote(round, timestamp), timers, out);
            return;
        }
        int extensions = roundExtensions.value() == null ? 0 : roundExtensions.value();
        long extended = deadline.extended(timestamp, timers.currentProcessingTime(), extensions);
        roundExtensions.update(extensions + 1);
        roundDeadline.update(extended);
        timers.registerProcessingTimeTimer(extended);
        String note = deadline.extensionNote(round, timestamp, extended);
        AggregationReport report = ReportBuilder.extended(current, spec, note, now);
        reportParticipation(report, current);
        out.collect(OutboundRecord.keyed(topics.reports(), current.getModelId(), WireCodec.AGGREGATION_REPORT.encode(report)));
        LOG.warn("model {}: {}", current.getModelId(), note);
    }

    private boolean budgetExhausted() throws Exception {
        byte[] ledgerBytes = privacyLedger.value();
        return ledgerBytes != null && PrivacyLedger.decode(ledgerBytes).exhausted();
    }

    /** Arms the open round's deadline if deadlines are on and none is pending (the round opens now). */
    private void ensureDeadline(ModelSpec spec, TimerService timers) throws Exception {
        RoundDeadline deadline = RoundDeadline.from(spec.getAggregation());
        if (deadline.enabled() && roundDeadline.value() == null
                && AsyncMode.parse(spec.getAggregation().getMode()) == AsyncMode.SYNC) {
            long at = deadline.firstDeadline(timers.currentProcessingTime());
            roundDeadline.update(at);
            timers.registerProcessingTimeTimer(at);
        }
    }

    /** Cancels any pending deadline; with deadlines on, arms the deadline of the round that opens now. */
    private void armNextDeadline(ModelSpec spec, TimerService timers) throws Exception {
        cancelDeadline(timers);
        ensureDeadline(spec, timers);
    }

    private void cancelDeadline(TimerService timers) throws Exception {
        roundExtensions.clear();
        Long pending = roundDeadline.value();
        if (pending != null) {
            timers.deleteProcessingTimeTimer(pending);
            roundDeadline.clear();
        }
    }

    /** True when the rejection is a duplicate client whose stored update has this very updateId. */
    private boolean isRedelivery(ModelUpdate update, ValidationResult.Rejected rejected) throws Exception {
        if (rejected.rejection().reason() != RejectionReason.DUPLICATE_CLIENT) {
            return false;
        }
        byte[] stored = roundUpdates.get(update.getClientId());
        return stored != null && WireCodec.MODEL_UPDATE.decode(stored).getUpdateId().equals(update.getUpdateId());
    }

    private SyncRound openRound(ModelSpec spec, GlobalModel current) throws Exception {
        List<String> clients = new ArrayList<>();
        for (String c : roundUpdates.keys()) {
            clients.add(c);
        }
        List<String> excluded = new ArrayList<>();
        for (String c : roundExcluded.keys()) {
            excluded.add(c);
        }
        int target = spec.getAggregation().getClientsPerRound();
        if (current.getSelection() != null && !current.getSelection().isEmpty()) {
            // a round on a version with a selection cannot get more responses than the selection has
            target = Math.min(target, current.getSelection().size());
        }
        return SyncRound.restore(current.getVersion(), target, clients, excluded);
    }

    private void closeIfComplete(ModelSpec spec, GlobalModel current, SyncRound round, Instant now, TimerService timers,
            Collector<OutboundRecord> out) throws Exception {
        if (round.isComplete()) {
            closeRound(spec, current, round, now, "", timers, out);
        }
    }

    /**
     * Closes the open round, whether at clientsPerRound responses or at its deadline: runs the
     * round through the server step ({@link ServerRound}, or {@link CentralDpStep} under central DP), publishes the next version and its report (or only the
     * report when the privacy budget stops it), clears the round's state and arms the next round's
     * deadline. {@code closeNote}, when not empty, is added to the report's note.
     */
    private void closeRound(ModelSpec spec, GlobalModel current, SyncRound round, Instant now, String closeNote,
            TimerService timers, Collector<OutboundRecord> out) throws Exception {
        AggregationSettings settings = AggregationSettings.from(spec);
        boolean scaffold = settings.drift().algorithm().kind() == DriftAlgorithm.Kind.SCAFFOLD;
        List<ClientUpdate> accepted = new ArrayList<>();
        Map<String, byte[]> rawByUpdateId = new java.util.HashMap<>();
        Map<String, ModelWeights> controlDeltas = new java.util.HashMap<>();
        for (byte[] bytes : roundUpdates.values()) {
            ModelUpdate u = WireCodec.MODEL_UPDATE.decode(bytes);
            accepted.add(new ClientUpdate(u.getUpdateId(), u.getClientId(), u.getBaseVersion(), u.getNumExamples(),
                    u.getLocalSteps(), TensorRecords.fromRecords(u.getTensors()), u.getMetrics()));
            rawByUpdateId.put(u.getUpdateId(), bytes);
            if (scaffold) {
                controlDeltas.put(u.getUpdateId(), TensorRecords.fromRecords(u.getControlDelta()));
            }
        }
        List<RejectedUpdate> rejected = new ArrayList<>();
        for (byte[] bytes : roundRejections.get()) {
            rejected.add(RejectedUpdate.getDecoder().decode(bytes));
        }
        AggregationStep step = new ServerRound();
        if (settings.centralDp().isPresent()) {
            byte[] ledgerBytes = privacyLedger.value();
            PrivacyLedger before = ledgerBytes == null ? PrivacyLedger.start(settings.centralDp().get().clipNorm())
                    : PrivacyLedger.decode(ledgerBytes);
            step = new CentralDpStep(settings.centralDp().get(), before, dpNoiseSecret);
        }
        ClosedRound closed = step.close(RoundInput.of(current, weights(current), spec, settings, accepted, rejected, now)
                .withOptimizerState(storedOptimizerState(settings, current))
                .withControlDeltas(controlDeltas));
        publishClosed(spec, current, settings, closed, rawByUpdateId, now, closeNote, timers, out);
    }

    /**
     * Publishes a closed round or FedBuff buffer: the next version and its report (or only the
     * report when the privacy budget stopped it), anomaly rejections as dead letters counted
     * towards quarantine; clears the round's state and arms the next round's deadline.
     */
    private void publishClosed(ModelSpec spec, GlobalModel current, AggregationSettings settings,
            ClosedRound closed, Map<String, byte[]> rawByUpdateId, Instant now, String closeNote,
            TimerService timers, Collector<OutboundRecord> out) throws Exception {
        if (closed.ledger() != null) {
            privacyLedger.update(closed.ledger().encode());
        }
        if (!closed.published()) {
            roundUpdates.clear();
            roundRejections.clear();
            roundExcluded.clear();
            cancelDeadline(timers);
            closed.report().setStatus(ReportBuilder.STATUS_BUDGET_EXHAUSTED);
            out.collect(OutboundRecord.keyed(topics.reports(), current.getModelId(), WireCodec.AGGREGATION_REPORT.encode(closed.report())));
            LOG.warn("model {}: {}", current.getModelId(), closed.report().getNote());
            return;
        }

        // Anomaly rejections: dead-lettered with their raw bytes, and counted towards quarantine.
        List<String> newlyQuarantined = new ArrayList<>();
        for (RoundAggregation.UpdateOutcome o : closed.outcome().outcomes()) {
            boolean rejectedNow = o.decision() == Decision.REJECT;
            if (rejectedNow) {
                InboundRecord origin = new InboundRecord(topics.updates(), -1, -1, now.toEpochMilli(),
                        current.getModelId().getBytes(java.nio.charset.StandardCharsets.UTF_8), rawByUpdateId.get(o.scores().updateId()));
                out.collect(deadLetters.of(origin, Rejection.of(RejectionReason.ANOMALOUS_UPDATE, o.reason()),
                        current.getModelId(), o.scores().clientId(), o.scores().updateId()));
            }
            Long bits = clientStandings.get(o.scores().clientId());
            ClientStanding before = bits == null ? ClientStanding.NEW : new ClientStanding(bits);
            ClientStanding after = before.afterRound(rejectedNow, settings.robustness().quarantine());
            clientStandings.put(o.scores().clientId(), after.bits());
            if (after.quarantined() && !before.quarantined()) {
                newlyQuarantined.add(o.scores().clientId());
            }
        }
        AggregationReport report = closed.report();
        if (!closeNote.isEmpty()) {
            report.setNote(report.getNote().isEmpty() ? closeNote : report.getNote() + "; " + closeNote);
        }
        if (!newlyQuarantined.isEmpty()) {
            report.setQuarantined(newlyQuarantined);
            LOG.warn("model {}: quarantined {}", current.getModelId(), newlyQuarantined);
        }
        if (!settings.async().isAsync()) {
            reportParticipation(report, current);
            ClientSelection.Selection selection = selectionFor(spec, closed.model().getVersion(), now);
            closed.model().setSelection(selection.clients());
            if (!selection.note().isEmpty()) {
                report.setNote(report.getNote().isEmpty() ? selection.note() : report.getNote() + "; " + selection.note());
            }
        }
        roundUpdates.clear();
        roundRejections.clear();
        roundExcluded.clear();
        asyncBuffer.clear();
        storeOptimizerState(settings, closed.optimizerState());
        publishModel(closed.model(), out);
        if (timers != null) {
            armNextDeadline(spec, timers);
        }
        out.collect(OutboundRecord.keyed(topics.reports(), current.getModelId(), WireCodec.AGGREGATION_REPORT.encode(report)));
        LOG.info("model {}: closed {} on version {} with {} updates ({} rejected), published version {}",
                current.getModelId(), settings.async().isAsync() ? "buffer" : "round", current.getVersion(),
                report.getAccepted().size(), report.getRejected().size(), closed.model().getVersion());
    }

    /**
     * FedAsync and FedBuff: admit an update by staleness (not by round), then mix it in at once
     * (FedAsync) or buffer it and aggregate every bufferSize updates (FedBuff). A client may have
     * several updates in a buffer, from different base versions, but one per base version.
     */
    private void onAsyncUpdate(ModelUpdate update, InboundRecord origin, ModelSpec spec, AggregationSettings settings,
            GlobalModel current, Instant now, Collector<OutboundRecord> out) throws Exception {
        AsyncSettings async = settings.async();
        String clientId = update.getClientId();
        if (update.getUpdateId() != null && update.getUpdateId().equals(lastAppliedUpdate.get(String.valueOf(clientId)))) {
            LOG.debug("model {}: ignoring redelivered update {}", update.getModelId(), update.getUpdateId());
            return;
        }
        Long standing = clientStandings.get(clientId);
        if (standing != null && new ClientStanding(standing).quarantined()) {
            reject(update, origin, Rejection.of(RejectionReason.QUARANTINED, "client " + clientId
                    + " is quarantined for model " + update.getModelId() + " until an operator releases it"), true, out);
            return;
        }
        String bufferKey = clientId + "@" + update.getBaseVersion();
        ValidationResult verdict = UpdateValidator.validate(update, weights(current), (client, base) -> {
            java.util.Optional<Rejection> stale = async.admissionCheck(base, current.getVersion());
            if (stale.isPresent()) {
                return stale;
            }
            try {
                if (async.mode() == AsyncMode.FEDBUFF && asyncBuffer.contains(client + "@" + base)) {
                    return java.util.Optional.of(Rejection.of(RejectionReason.DUPLICATE_CLIENT, "client " + client
                            + " already has an update trained from version " + base + " in the buffer"));
                }
                if (async.mode() == AsyncMode.FEDASYNC && base < current.getVersion() && !versionHistory.contains(base)) {
                    return java.util.Optional.of(Rejection.of(RejectionReason.STALE_UPDATE, "version " + base
                            + " is no longer kept to mix with (FedAsync keeps the last " + async.versionsKept() + ")"));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return java.util.Optional.empty();
        }, settings.drift().algorithm());
        if (verdict instanceof ValidationResult.Rejected rejected) {
            byte[] stored = asyncBuffer.get(bufferKey);
            if (rejected.rejection().reason() == RejectionReason.DUPLICATE_CLIENT && stored != null
                    && WireCodec.MODEL_UPDATE.decode(stored).getUpdateId().equals(update.getUpdateId())) {
                return; // redelivered while buffered
            }
            reject(update, origin, rejected.rejection(), true, out);
            return;
        }
        ClientUpdate accepted = ((ValidationResult.Accepted) verdict).update();
        if (async.mode() == AsyncMode.FEDASYNC) {
            ModelWeights base = update.getBaseVersion() == current.getVersion() ? weights(current)
                    : TensorRecords.fromRecords(WireCodec.GLOBAL_MODEL.decode(versionHistory.get(update.getBaseVersion())).getTensors());
            List<RejectedUpdate> rejectedSoFar = new ArrayList<>();
            for (byte[] bytes : roundRejections.get()) {
                rejectedSoFar.add(RejectedUpdate.getDecoder().decode(bytes));
            }
            ClosedRound step = new FedAsyncStep(base).close(
                    RoundInput.of(current, weights(current), spec, settings, List.of(accepted), rejectedSoFar, now));
            roundRejections.clear();
            lastAppliedUpdate.put(clientId, update.getUpdateId());
            versionHistory.put(current.getVersion(), modelState.value()); // current's stored bytes, not re-encoded
            versionHistory.remove(step.model().getVersion() - async.versionsKept() - 1);
            publishModel(step.model(), out);
            out.collect(OutboundRecord.keyed(topics.reports(), current.getModelId(), WireCodec.AGGREGATION_REPORT.encode(step.report())));
            LOG.debug("model {}: {} -> version {}", current.getModelId(), step.report().getNote(), step.model().getVersion());
            return;
        }
        asyncBuffer.put(bufferKey, origin.value);
        int buffered = count(asyncBuffer.keys());
        if (buffered < async.bufferSize()) {
            return;
        }
        List<ClientUpdate> buffer = new ArrayList<>();
        Map<String, byte[]> rawByUpdateId = new java.util.HashMap<>();
        for (byte[] bytes : asyncBuffer.values()) {
            ModelUpdate u = WireCodec.MODEL_UPDATE.decode(bytes);
            buffer.add(new ClientUpdate(u.getUpdateId(), u.getClientId(), u.getBaseVersion(), u.getNumExamples(),
                    u.getLocalSteps(), TensorRecords.fromRecords(u.getTensors()), u.getMetrics()));
            rawByUpdateId.put(u.getUpdateId(), bytes);
            lastAppliedUpdate.put(u.getClientId(), u.getUpdateId());
        }
        List<RejectedUpdate> rejectedSoFar = new ArrayList<>();
        for (byte[] bytes : roundRejections.get()) {
            rejectedSoFar.add(RejectedUpdate.getDecoder().decode(bytes));
        }
        ParticipationIntervals participation = null;
        Map<String, Double> corrections = Map.of();
        if (async.participationWeighting().enabled()) {
            participation = storedParticipation(async);
            corrections = participation.recordStep(current.getVersion() + 1, buffer);
        }
        ClosedRound closed = new FedBuffStep().close(RoundInput.of(current, weights(current), spec, settings, buffer, rejectedSoFar, now)
                .withOptimizerState(storedOptimizerState(settings, current))
                .withParticipationCorrections(corrections));
        if (participation != null) {
            for (String client : corrections.keySet()) {
                ParticipationIntervals.ParticipationHistory h = participation.histories().get(client);
                participationIntervals.put(client, new long[] {h.lastVersion(), h.intervalSum(), h.intervals()});
            }
        }
        publishClosed(spec, current, settings, closed, rawByUpdateId, now, "", null, out);
    }

    /** The clients' participation histories from keyed state, for a FedBuff step with participation weighting. */
    private ParticipationIntervals storedParticipation(AsyncSettings async) throws Exception {
        Map<String, ParticipationIntervals.ParticipationHistory> histories = new java.util.HashMap<>();
        for (Map.Entry<String, long[]> e : participationIntervals.entries()) {
            long[] h = e.getValue();
            histories.put(e.getKey(), new ParticipationIntervals.ParticipationHistory(h[0], h[1], Math.toIntExact(h[2])));
        }
        return new ParticipationIntervals(async.participationWeighting().cap(), async.bufferSize(), histories);
    }

    /**
     * The server optimizer's state after the previous round, or null (start from its initial state)
     * when none is stored or it was written by another optimizer (the spec switched optimizers).
     */
    private OptimizerState storedOptimizerState(AggregationSettings settings, GlobalModel current) throws Exception {
        String stored = optimizerName.value();
        String wanted = settings.drift().serverOptimizer().name();
        if (stored == null) {
            return null;
        }
        if (!stored.equals(wanted)) {
            LOG.info("model {}: server optimizer changed from {} to {}; its state starts afresh", current.getModelId(), stored, wanted);
            return null;
        }
        List<io.floe.schema.Tensor> records = new ArrayList<>();
        for (byte[] bytes : optimizerMoments.get()) {
            records.add(io.floe.schema.Tensor.getDecoder().decode(bytes));
        }
        return OptimizerState.restore(TensorRecords.fromRecords(records));
    }

    private void storeOptimizerState(AggregationSettings settings, OptimizerState state) throws Exception {
        if (state == null) {
            return;
        }
        List<byte[]> encoded = new ArrayList<>();
        for (io.floe.schema.Tensor t : TensorRecords.toRecords(state.asWeights())) {
            java.nio.ByteBuffer buf = io.floe.schema.Tensor.getEncoder().encode(t);
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            encoded.add(bytes);
        }
        optimizerName.update(settings.drift().serverOptimizer().name());
        optimizerMoments.update(encoded);
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }

    private void publishModel(GlobalModel model, Collector<OutboundRecord> out) throws Exception {
        byte[] bytes = WireCodec.GLOBAL_MODEL.encode(model);
        modelState.update(bytes);
        out.collect(OutboundRecord.keyed(topics.models(), model.getModelId(), bytes));
    }

    private void reject(ModelUpdate update, InboundRecord origin, Rejection rejection, boolean forReport,
            Collector<OutboundRecord> out) throws Exception {
        out.collect(deadLetters.of(origin, rejection, update.getModelId(), update.getClientId(), update.getUpdateId()));
        if (forReport) {
            roundRejections.add(RejectedUpdate.getEncoder().encode(RejectedUpdate.newBuilder()
                    .setUpdateId(update.getUpdateId())
                    .setClientId(update.getClientId())
                    .setReason(rejection.reason().name())
                    .setDetail(rejection.detail())
                    .build()).array());
        }
    }

    private ModelWeights weights(GlobalModel model) {
        CachedModel cached = weightsCache.get(model.getModelId());
        if (cached == null || cached.version() != model.getVersion()) {
            cached = new CachedModel(model.getVersion(), TensorRecords.fromRecords(model.getTensors()));
            weightsCache.put(model.getModelId(), cached);
        }
        return cached.weights();
    }
}
