package io.floe.flink.aggregate;

import io.floe.core.settings.AggregationSettings;
import io.floe.core.round.ClientSelection;
import io.floe.core.server.ModelVersions;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.settings.SpecValidator;
import io.floe.flink.aggregate.mode.AggregationMode;
import io.floe.flink.aggregate.mode.ModelContext;
import io.floe.flink.aggregate.state.ModelState;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.aggregate.state.SpecChange;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import java.time.Instant;
import org.apache.flink.streaming.api.TimerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a ModelSpec does. A valid spec for an unknown model creates it: version 0 with the spec's
 * initial tensors goes out. A later spec reconfigures it (rule, round size, mode, client training
 * config; weights and version stay): every state holder resets what the change requires, a mode
 * the model leaves is dropped and the mode it has now takes the spec. The tensor layout is the
 * model's identity: a spec with another layout is dead-lettered (INVALID_SPEC), as is any spec
 * {@link SpecValidator} refuses.
 */
final class ModelLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLifecycle.class);

    private final ModelStates states;
    private final Modes modes;

    ModelLifecycle(ModelStates states, Modes modes) {
        this.states = states;
        this.modes = modes;
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
            create(spec, settings, initial, now, timers, out);
            return;
        }
        GlobalModel current = states.model().current();
        if (!initial.sameLayout(states.model().weights(current))) {
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
            modes.of(change.modeBefore()).onDropped(ctx);
        }
        for (ModelState holder : states.all()) {
            holder.reconfigure(change);
        }
        modes.of(change.modeAfter()).onSpec(ctx);
    }

    private void create(ModelSpec spec, AggregationSettings settings, ModelWeights initial, Instant now, TimerService timers,
            Outputs out) throws Exception {
        GlobalModel v0 = ModelVersions.versionZero(spec, initial, now);
        ClientSelection.Selection selection = states.clients().selection(spec, settings, 0, now);
        v0.setSelection(selection.clients());
        if (!selection.note().isEmpty()) {
            LOG.info("model {}: {}", spec.getModelId(), selection.note());
        }
        states.model().storeSpec(spec, settings);
        out.model(v0, states.model().storeVersion(v0));
        modes.of(settings.async().mode()).onSpec(new ModelContext(states, now, timers, out));
        LOG.info("created model {} ({}), version 0 published", spec.getModelId(), spec.getArchitecture());
    }
}
