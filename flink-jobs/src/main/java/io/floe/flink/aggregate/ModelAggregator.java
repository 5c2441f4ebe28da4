package io.floe.flink.aggregate;

import io.floe.flink.shard.ChunkCommand;
import io.floe.flink.shard.ManifestPart;
import org.apache.flink.util.OutputTag;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.aggregate.mode.ModelContext;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.aggregate.state.UpdatesAwaitingSpec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.flink.resume.PublishedModels;
import io.floe.core.trust.JobTrust;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRelease;
import io.floe.schema.ClientRevocation;
import java.util.Optional;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.security.SecureRandom;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-model server, keyed by model id: a dispatcher of each model's events to the concern
 * that handles them. Specs go to the {@link ModelLifecycle} (create, reconfigure), updates and
 * timers to the model's current {@link io.floe.flink.aggregate.mode.AggregationMode} (sync rounds,
 * FedAsync, FedBuff), heartbeats and quarantine releases to the
 * {@link io.floe.flink.aggregate.state.ClientRegistry}. Each concern's keyed state lives in its own
 * holder ({@link io.floe.flink.aggregate.state}); every decision is made by a core class.
 *
 * <p>Every input that cannot be used goes out as a dead letter with a reason; no input makes this
 * function throw. Outputs (models, reports, dead letters) all leave through one collector as
 * {@link OutboundRecord}s naming their topic ({@link Outputs}), so one exactly-once Kafka sink
 * writes them together. The event time used throughout is the record's Kafka timestamp (a
 * timer's own time for timers), so results replay bit for bit. The job's metrics
 * ({@link AggregationMetrics}) observe what leaves through {@link Outputs}; only the bytes of each
 * received update are counted here.
 */
public class ModelAggregator extends KeyedProcessFunction<String, ModelEvent, OutboundRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelAggregator.class);
    /** Commands to the chunk folders of chunked models, keyed by {@code modelId#index} downstream. */
    public static final OutputTag<ChunkCommand> CHUNK_COMMANDS = new OutputTag<>("chunk-commands") {
    };
    /** Chunked versions decided here, to the manifest writer (keyed by model id downstream). */
    public static final OutputTag<ManifestPart> MANIFEST_PARTS = new OutputTag<>("manifest-parts") {
    };

    private final TopicNames topics;
    private final DeadLetters deadLetters;
    /** Keys the HMAC that seeds central-DP noise per (model, version); see NoiseSeed. */
    private final byte[] dpNoiseSecret;
    /** What a model without keyed state continues from (read at submission); empty: every model starts at version 0. */
    private final PublishedModels published;
    /** Operators' keys (whose commands are obeyed) and the job's key (which signs every version). */
    private final JobTrust trust;

    private transient ModelStates states;
    private transient TrustGate gate;
    private transient Modes modes;
    private transient ModelLifecycle lifecycle;
    private transient AggregationMetrics metrics;

    /** A job without central-DP models needs no secret: a random one is drawn (noise then not replayable). */
    public ModelAggregator(TopicNames topics) {
        this(topics, randomSecret());
    }

    public ModelAggregator(TopicNames topics, byte[] dpNoiseSecret) {
        this(topics, dpNoiseSecret, PublishedModels.none());
    }

    /**
     * As above; a spec for a model that has no keyed state but a version in {@code published}
     * continues that version instead of publishing version 0 ({@link ModelLifecycle}).
     */
    public ModelAggregator(TopicNames topics, byte[] dpNoiseSecret, PublishedModels published) {
        this(topics, dpNoiseSecret, published, JobTrust.none());
    }

    /** As above; {@code trust} says whose commands are obeyed and signs every published version ({@link TrustGate}). */
    public ModelAggregator(TopicNames topics, byte[] dpNoiseSecret, PublishedModels published, JobTrust trust) {
        this.topics = topics;
        this.deadLetters = new DeadLetters(topics);
        this.dpNoiseSecret = dpNoiseSecret.clone();
        this.published = published;
        this.trust = trust;
    }

    static byte[] randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Override
    public void open(OpenContext openContext) {
        states = ModelStates.open(getRuntimeContext());
        modes = new Modes(states, dpNoiseSecret);
        lifecycle = new ModelLifecycle(states, modes, published);
        gate = new TrustGate(states, trust);
        metrics = new AggregationMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(ModelEvent event, Context ctx, Collector<OutboundRecord> collector) throws Exception {
        Instant now = Instant.ofEpochMilli(ctx.timestamp() != null && ctx.timestamp() > 0 ? ctx.timestamp() : System.currentTimeMillis());
        Outputs out = outputs(collector, ctx);
        states.model().atKey(ctx.getCurrentKey());
        if (states.model().exists()) {
            metrics.modelExists(ctx.getCurrentKey());
        }
        if (event.kind == ModelEvent.Kind.CHUNK_RECEIPT) {
            metrics.updateReceived(event.modelId, event.receipt.dataBytes); // a chunk's bytes count as update bytes
            onReceipt(event, now, ctx, out);
            return;
        }
        InboundRecord origin = event.origin;
        if (event.kind == ModelEvent.Kind.UPDATE && origin.value != null) {
            metrics.updateReceived(event.modelId, origin.value.length);
        }
        long largest = event.kind == ModelEvent.Kind.UPDATE && origin.value != null ? lifecycle.largestUpdateBytes(event.modelId) : -1;
        if (largest >= 0 && origin.value.length > largest) {
            out.deadLetter(origin, Rejection.of(RejectionReason.RECORD_TOO_LARGE, "update of " + origin.value.length
                    + " bytes for model " + event.modelId + ", whose updates are at most " + largest
                    + " bytes (twice its published size); not decoded"), event.modelId, null, null);
            return;
        }
        SpecificRecord record;
        try {
            record = decode(event);
        } catch (MalformedRecordException e) {
            // routing read only the model id; a body that does not decode whole is refused here
            out.deadLetter(origin, Rejection.of(RejectionReason.UNDECODABLE, e.getMessage()), event.modelId, null, null);
            return;
        }
        if (refusedCommand(event, record, out)) {
            return;
        }
        switch (event.kind) {
            case SPEC -> {
                lifecycle.onSpec((ModelSpec) record, origin, now, ctx.timerService(), out);
                handleUpdatesAwaitingSpec(ctx, out);
            }
            case RELEASE -> onRelease((ClientRelease) record, origin, out);
            case ENROLMENT -> gate.enrol((ClientEnrolment) record, origin, out);
            case REVOCATION -> gate.revoke((ClientRevocation) record, origin, out);
            case UPDATE -> onUpdate((ModelUpdate) record, origin, now, ctx, out);
            case HEARTBEAT -> onHeartbeat((ClientHeartbeat) record, origin, now, out);
            case SCORE_SHARE -> onScoreShare((ChunkScoreShare) record, origin, now, ctx, out);
            case CHUNK_RECEIPT -> throw new IllegalStateException("receipts are handled above");
            default -> throw new IllegalStateException("unknown event kind " + event.kind);
        }
    }

    /**
     * Whether an operator command is refused (dead-lettered) before it does anything: not signed by
     * an operator the job trusts, or a spec this job cannot honour ({@link TrustGate}).
     */
    private boolean refusedCommand(ModelEvent event, SpecificRecord record, Outputs out) {
        String kind = switch (event.kind) {
            case SPEC -> "ModelSpec";
            case RELEASE -> "ClientRelease";
            case ENROLMENT -> "ClientEnrolment";
            case REVOCATION -> "ClientRevocation";
            default -> null;
        };
        if (kind == null) {
            return false;
        }
        Optional<Rejection> refused = gate.operatorCommand(record, kind, event.modelId);
        if (refused.isEmpty() && event.kind == ModelEvent.Kind.SPEC) {
            refused = gate.specProblem((ModelSpec) record);
        }
        refused.ifPresent(r -> out.deadLetter(event.origin, r, event.modelId, null, null));
        return refused.isPresent();
    }

    /** A heartbeat: the client counts as available, once authenticated when its model requires it. */
    private void onHeartbeat(ClientHeartbeat heartbeat, InboundRecord origin, Instant now, Outputs out) throws Exception {
        if (states.model().exists() && gate.authenticated()) {
            Optional<Rejection> refused = gate.heartbeat(heartbeat, now);
            if (refused.isPresent()) {
                out.deadLetter(origin, refused.get(), heartbeat.getModelId(), heartbeat.getClientId(), null);
                return;
            }
        }
        states.clients().heard(heartbeat.getClientId(), now);
    }

    /** The operator's outputs: records to the sink, commands to chunk folders and chunked versions to the manifest writer as side outputs. */
    private Outputs outputs(Collector<OutboundRecord> collector, KeyedProcessFunction<String, ModelEvent, OutboundRecord>.Context ctx) {
        return new Outputs(topics, deadLetters, collector, metrics, c -> ctx.output(CHUNK_COMMANDS, c),
                p -> ctx.output(MANIFEST_PARTS, p), trust);
    }

    /** A receipt of a chunk of a chunked model's update: the sharded rounds check it against its header. */
    private void onReceipt(ModelEvent event, Instant now, Context ctx, Outputs out) throws Exception {
        if (!states.model().exists() || !states.model().settings().chunked()) {
            out.deadLetter(event.origin, Rejection.of(RejectionReason.ORPHAN_CHUNK, "chunk " + event.receipt.index + " of update "
                    + event.receipt.updateId + ": model '" + event.modelId + "' " + (states.model().exists() ? "is not chunked"
                    : "does not exist")), event.modelId, null, event.receipt.updateId);
            return;
        }
        modes.sharded().onReceipt(event.receipt, event.origin, new ModelContext(states, now, ctx.timerService(), out));
    }

    /** A chunk's share of a chunked Krum round's scores, from the job's own folders: the sharded rounds select once all are in. */
    private void onScoreShare(ChunkScoreShare share, InboundRecord origin, Instant now, Context ctx, Outputs out) throws Exception {
        if (states.model().exists() && states.model().settings().chunked()) {
            modes.sharded().onScoreShare(share, new ModelContext(states, now, ctx.timerService(), out));
        }
    }

    /** The event's record, decoded once: the one decode of an update's tensors' container in the job. */
    private static SpecificRecord decode(ModelEvent event) {
        byte[] value = event.origin.value;
        return switch (event.kind) {
            case SPEC -> WireCodec.MODEL_SPEC.decode(value);
            case RELEASE -> WireCodec.CLIENT_RELEASE.decode(value);
            case ENROLMENT -> WireCodec.CLIENT_ENROLMENT.decode(value);
            case REVOCATION -> WireCodec.CLIENT_REVOCATION.decode(value);
            case UPDATE -> WireCodec.MODEL_UPDATE.decode(value);
            case HEARTBEAT -> WireCodec.CLIENT_HEARTBEAT.decode(value);
            case SCORE_SHARE -> WireCodec.CHUNK_SCORE_SHARE.decode(value);
            case CHUNK_RECEIPT -> throw new IllegalStateException("a receipt carries no record");
        };
    }

    /** The model's deadline timer: handed to the model's mode (sync rounds arm them). */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutboundRecord> collector) throws Exception {
        states.model().atKey(ctx.getCurrentKey());
        if (!states.model().exists()) {
            if (states.awaitingSpec().isDeadline(timestamp)) {
                Outputs out = outputs(collector, ctx);
                for (InboundRecord origin : states.awaitingSpec().takeAll(ctx.timerService())) {
                    deadLetter(WireCodec.MODEL_UPDATE.decode(origin.value), origin, RejectionReason.UNKNOWN_MODEL, "model '"
                            + ctx.getCurrentKey() + "' is on the models topic but no ModelSpec for it arrived within "
                            + UpdatesAwaitingSpec.HOLD_MS + " ms of this update (is its spec still on the control topic?)", out);
                }
            }
            return;
        }
        ModelContext model = new ModelContext(states, Instant.ofEpochMilli(timestamp), ctx.timerService(), outputs(collector, ctx));
        modes.of(model.settings()).onTimer(timestamp, model);
    }

    /** An update, decoded once here: refused when its model is unknown or out of privacy budget, else its mode's. */
    private void onUpdate(ModelUpdate update, InboundRecord origin, Instant now, Context ctx, Outputs out) throws Exception {
        if (!states.model().exists()) {
            if (!lifecycle.continuesFromTopics(update.getModelId())) {
                deadLetter(update, origin, RejectionReason.UNKNOWN_MODEL, "no ModelSpec has created model '" + update.getModelId() + "'", out);
            } else if (!states.awaitingSpec().hold(origin, ctx.timerService())) {
                deadLetter(update, origin, RejectionReason.UNKNOWN_MODEL, "model '" + update.getModelId() + "' is on the models topic "
                        + "but its spec has not arrived, and " + UpdatesAwaitingSpec.MAX_HELD + " updates or "
                        + UpdatesAwaitingSpec.MAX_HELD_BYTES + " bytes wait for it already", out);
            }
            return;
        }
        if (gate.authenticated()) {
            Optional<Rejection> refused = gate.update(update, now);
            if (refused.isPresent()) {
                out.deadLetter(origin, refused.get(), update.getModelId(), update.getClientId(), update.getUpdateId());
                return;
            }
        }
        if (states.privacy().exhausted()) {
            deadLetter(update, origin, RejectionReason.PRIVACY_BUDGET_EXHAUSTED, "model " + update.getModelId()
                    + " has spent its privacy budget and publishes no further versions", out);
            return;
        }
        ModelContext model = new ModelContext(states, now, ctx.timerService(), out);
        modes.of(model.settings()).onUpdate(update, origin, model);
    }

    /**
     * Updates that arrived before the spec that brought their model back ({@link UpdatesAwaitingSpec}),
     * handled now that it exists, each at its own record time.
     */
    private void handleUpdatesAwaitingSpec(Context ctx, Outputs out) throws Exception {
        if (!states.model().exists()) {
            return;
        }
        for (InboundRecord origin : states.awaitingSpec().takeAll(ctx.timerService())) {
            ModelUpdate update;
            try {
                update = WireCodec.MODEL_UPDATE.decode(origin.value);
            } catch (MalformedRecordException e) {
                continue; // decoded whole before it was held: cannot happen
            }
            onUpdate(update, origin, Instant.ofEpochMilli(origin.timestamp), ctx, out);
        }
    }

    private void onRelease(ClientRelease release, InboundRecord origin, Outputs out) throws Exception {
        if (!states.clients().release(release.getClientId())) {
            out.deadLetter(origin, Rejection.of(RejectionReason.INVALID_COMMAND, "client " + release.getClientId()
                    + " is not quarantined for model " + release.getModelId()), release.getModelId(), release.getClientId(), null);
            return;
        }
        LOG.info("model {}: client {} released from quarantine by '{}'", release.getModelId(), release.getClientId(),
                release.getOperator());
    }

    private static void deadLetter(ModelUpdate update, InboundRecord origin, RejectionReason reason, String detail, Outputs out) {
        out.deadLetter(origin, Rejection.of(reason, detail), update.getModelId(), update.getClientId(), update.getUpdateId());
    }
}
