package io.floe.flink.aggregate;

import io.floe.core.chunk.ChunkLayout;
import io.floe.core.server.ChunkedVersions;

import io.floe.core.privacy.PrivacyLedger;
import io.floe.core.round.ClientSelection;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.settings.SpecValidator;
import io.floe.core.server.ModelVersions;
import io.floe.core.server.ReportBuilder;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.TensorRecords;
import io.floe.flink.aggregate.mode.AggregationMode;
import io.floe.flink.aggregate.mode.ModelContext;
import io.floe.flink.aggregate.state.ModelState;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.aggregate.state.SpecChange;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.resume.PublishedModels;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.streaming.api.TimerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a ModelSpec does. A valid spec for an unknown model creates it: version 0 with the spec's
 * initial tensors goes out, with its report (status CREATED). A model that has no keyed state but
 * a version on the models topic (a job started without state over an existing deployment;
 * {@link PublishedModels}) is not created again: that version becomes the current model, stored
 * and not republished, its privacy ledger is rebuilt from its newest report, and its mode takes the
 * spec as after a reconfiguration; version numbers never go backwards. A later spec reconfigures it (rule, round size, mode, client training
 * config; weights and version stay): every state holder resets what the change requires, a mode
 * the model leaves is dropped and the mode it has now takes the spec. The tensor layout is the
 * model's identity: a spec with another layout is dead-lettered (INVALID_SPEC), as is any spec
 * {@link SpecValidator} refuses.
 */
final class ModelLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLifecycle.class);

    private final ModelStates states;
    private final Modes modes;
    private final PublishedModels published;

    ModelLifecycle(ModelStates states, Modes modes, PublishedModels published) {
        this.states = states;
        this.modes = modes;
        this.published = published;
    }

    void onSpec(ModelSpec spec, InboundRecord origin, Instant now, TimerService timers, Outputs out) throws Exception {
        SpecValidator.Result result = SpecValidator.validate(spec);
        if (result instanceof SpecValidator.Result.Invalid invalid) {
            out.deadLetter(origin, invalid.rejection(), spec.getModelId(), null, null);
            return;
        }
        ModelWeights initial = ((SpecValidator.Result.Valid) result).initialWeights();
        AggregationSettings settings = AggregationSettings.from(spec);
        if (!states.model().exists()) {
            Optional<GlobalModel> newest = published.model(spec.getModelId());
            if (newest.isPresent()) {
                continueFrom(newest.get(), spec, settings, initial, origin, now, timers, out);
            } else {
                create(spec, settings, initial, now, timers, out);
            }
            return;
        }
        GlobalModel current = states.model().current();
        if (!sameLayout(spec, settings, initial, current)) {
            out.deadLetter(origin, Rejection.of(RejectionReason.INVALID_SPEC, "model " + spec.getModelId()
                    + " exists with a different tensor layout; use a new modelId"), spec.getModelId(), null, null);
            return;
        }
        SpecChange change = new SpecChange(spec.getModelId(), states.model().settings(), settings);
        states.model().storeSpec(spec, settings);
        LOG.info("reconfigured model {}: mode {}, rule {}, algorithm {}, server optimizer {}, {} clients per round",
                spec.getModelId(), change.modeAfter().configName(), spec.getAggregation().getRule(), settings.drift().algorithm().toSpec(),
                spec.getAggregation().getServerOptimizer(), spec.getAggregation().getClientsPerRound());
        ModelContext ctx = new ModelContext(states, now, timers, out);
        if (change.modeChanged()) {
            modes.of(change.modeBefore()).onDropped(ctx); // a chunked model's mode never changes (sync only)
        }
        for (ModelState holder : states.all()) {
            holder.reconfigure(change);
        }
        modes.of(settings).onSpec(ctx);
    }

    /**
     * Whether {@code modelId}, without keyed state here, is on the models topic and comes back with
     * its spec: its updates wait for that spec instead of being refused as for an unknown model.
     */
    boolean continuesFromTopics(String modelId) {
        return published.versions().containsKey(modelId);
    }

    /**
     * The largest update {@code modelId} can be sent, as {@link io.floe.flink.aggregate.state.ModelStore#largestUpdateBytes}
     * gives it once the model exists: from its stored version, else from its newest version on the
     * models topic; -1 when the model is neither (no bound known yet).
     */
    long largestUpdateBytes(String modelId) throws Exception {
        if (states.model().exists()) {
            return states.model().largestUpdateBytes();
        }
        long published = this.published.modelBytes(modelId);
        return published < 0 ? -1 : 2L * published + io.floe.flink.aggregate.state.ModelStore.UPDATE_SLACK_BYTES;
    }

    private void create(ModelSpec spec, AggregationSettings settings, ModelWeights initial, Instant now, TimerService timers,
            Outputs out) throws Exception {
        if (settings.chunked()) {
            createChunked(spec, settings, now, timers, out);
            return;
        }
        GlobalModel v0 = ModelVersions.versionZero(spec, initial, now);
        ClientSelection.Selection selection = states.clients().selection(spec, settings, 0, now);
        v0.setSelection(selection.clients());
        if (!selection.note().isEmpty()) {
            LOG.info("model {}: {}", spec.getModelId(), selection.note());
        }
        states.model().storeSpec(spec, settings);
        out.model(v0, states.model().storeVersion(out.signed(v0)));
        String note = String.format(Locale.ROOT, "created from spec: architecture %s, rule %s, mode %s, %d clients per round",
                spec.getArchitecture(), spec.getAggregation().getRule(), settings.async().mode().configName(),
                spec.getAggregation().getClientsPerRound());
        out.report(ReportBuilder.created(v0, settings.async().mode(),
                selection.note().isEmpty() ? note : note + "; " + selection.note()));
        modes.of(settings).onSpec(new ModelContext(states, now, timers, out));
        LOG.info("created model {} ({}), version 0 published", spec.getModelId(), spec.getArchitecture());
    }

    /** Version 0 of a chunked model: its chunks from the spec through the folders, its manifest and report through the manifest writer. */
    private void createChunked(ModelSpec spec, AggregationSettings settings, Instant now, TimerService timers, Outputs out)
            throws Exception {
        GlobalModel v0 = ChunkedVersions.versionZero(spec, now);
        ClientSelection.Selection selection = states.clients().selection(spec, settings, 0, now);
        v0.setSelection(selection.clients());
        states.model().storeSpec(spec, settings);
        String note = String.format(Locale.ROOT, "created from spec: architecture %s, rule %s, %d clients per round, %d parameters in %d"
                + " chunks of %d bytes", spec.getArchitecture(), spec.getAggregation().getRule(), spec.getAggregation().getClientsPerRound(),
                v0.getChunks().getParameters(), ChunkLayout.of(v0.getChunks()).count(), v0.getChunks().getChunkBytes());
        modes.sharded().create(spec, v0, selection.note().isEmpty() ? note : note + "; " + selection.note(), out);
        modes.of(settings).onSpec(new ModelContext(states, now, timers, out));
        LOG.info("created chunked model {} ({}), version 0 goes out as its {} chunks", spec.getModelId(), spec.getArchitecture(),
                ChunkLayout.of(v0.getChunks()).count());
    }

    /**
     * Whether a reconfiguring spec keeps the model's identity: the same tensor names and shapes, and
     * for a chunked model the same chunk size (a model cannot become chunked, or stop being, in place).
     */
    private boolean sameLayout(ModelSpec spec, AggregationSettings settings, ModelWeights initial, GlobalModel current) throws Exception {
        boolean wasChunked = current.getChunks() != null;
        if (wasChunked || settings.chunked()) {
            if (!wasChunked || !settings.chunked() || current.getChunks().getChunkBytes() != settings.round().chunkBytes()
                    || current.getTensors().size() != spec.getInitialTensors().size()) {
                return false;
            }
            for (int i = 0; i < current.getTensors().size(); i++) {
                if (!current.getTensors().get(i).getName().equals(spec.getInitialTensors().get(i).getName())
                        || !current.getTensors().get(i).getShape().equals(spec.getInitialTensors().get(i).getShape())) {
                    return false;
                }
            }
            return true;
        }
        return initial.sameLayout(states.model().weights(current));
    }

    /**
     * A model without keyed state that the models topic already holds: its newest version becomes
     * the current model (stored, not republished: trainers have it already) and its ledger the
     * model's ledger, then the spec applies as a reconfiguration would. Server optimizer moments
     * are not published, so an adaptive server optimizer starts afresh.
     */
    private void continueFrom(GlobalModel newest, ModelSpec spec, AggregationSettings settings, ModelWeights initial,
            InboundRecord origin, Instant now, TimerService timers, Outputs out) throws Exception {
        if (settings.chunked() || newest.getChunks() != null) {
            out.deadLetter(origin, Rejection.of(RejectionReason.INVALID_SPEC, "model " + spec.getModelId() + " is published at version "
                    + newest.getVersion() + "; a chunked model cannot continue from the topics yet (its chunks live in the job's state):"
                    + " restore the job from a checkpoint or savepoint"), spec.getModelId(), null, null);
            return;
        }
        if (!initial.sameLayout(TensorRecords.fromRecords(newest.getTensors()))) {
            out.deadLetter(origin, Rejection.of(RejectionReason.INVALID_SPEC, "model " + spec.getModelId() + " is published at version "
                    + newest.getVersion() + " with a different tensor layout; use a new modelId"), spec.getModelId(), null, null);
            return;
        }
        states.model().storeSpec(spec, settings);
        states.model().storeVersion(newest);
        Optional<PrivacyLedger> ledger = published.ledger(spec.getModelId());
        if (ledger.isPresent()) {
            states.privacy().store(ledger.get());
        }
        // the updates topic is read again from about when this version was made: what it aggregated is applied
        for (Map.Entry<String, String> applied : published.appliedOnNewest(spec.getModelId()).entrySet()) {
            states.applied().applied(applied.getKey(), applied.getValue());
        }
        modes.of(settings.async().mode()).onSpec(new ModelContext(states, now, timers, out));
        LOG.info("model {}: no state, continuing from published version {} (not republished){}; server optimizer {} starts "
                + "with fresh moments (moments are not published)", spec.getModelId(), newest.getVersion(),
                ledger.map(l -> ", privacy ledger at " + l.rounds() + " rounds" + (l.exhausted() ? " (exhausted)" : "")).orElse(""),
                spec.getAggregation().getServerOptimizer());
    }
}
