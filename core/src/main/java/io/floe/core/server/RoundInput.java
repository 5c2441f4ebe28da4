package io.floe.core.server;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.drift.OptimizerState;
import io.floe.core.drift.ServerOptimizer;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one server step needs to turn version {@code v} and its updates into version
 * {@code v+1}: a synchronous round's close, a FedBuff buffer's flush or one FedAsync mix. Build
 * it with {@link #of} and add what the model's algorithms need with the {@code with...} methods:
 *
 * <pre>{@code
 * RoundInput input = RoundInput.of(current, weights, spec, settings, accepted, rejected, now)
 *         .withOptimizerState(stored)
 *         .withControlDeltas(controlDeltas);
 * ClosedRound closed = new ServerRound().close(input);
 * }</pre>
 *
 * @param current the open version's global model
 * @param currentWeights its decoded tensors
 * @param spec the model's current configuration (training config for the next version)
 * @param settings the model's aggregation settings, parsed from {@code spec}
 * @param updates the step's validated updates (any order: the steps sort them)
 * @param rejected updates rejected by validation while the round was open, for the report
 * @param now the time the next version and its report carry
 * @param optimizerState the server optimizer's state after the previous step; null starts from
 *     {@link ServerOptimizer#initialState} (the model's first round, or a changed optimizer)
 * @param controlDeltas SCAFFOLD: each update's Δc_i by updateId (validated to have the model's
 *     layout); empty for other algorithms
 * @param participationCorrections FedBuff: client id -> {@code c_i}
 *     ({@link io.floe.core.async.ParticipationIntervals#recordStep}); empty for none (every {@code c_i = 1})
 */
public record RoundInput(GlobalModel current, ModelWeights currentWeights, ModelSpec spec, AggregationSettings settings,
        List<ClientUpdate> updates, List<RejectedUpdate> rejected, Instant now, OptimizerState optimizerState,
        Map<String, ModelWeights> controlDeltas, Map<String, Double> participationCorrections) {

    public RoundInput {
        updates = List.copyOf(updates);
        rejected = List.copyOf(rejected);
        controlDeltas = controlDeltas == null ? Map.of() : Map.copyOf(controlDeltas);
        participationCorrections = participationCorrections == null ? Map.of() : Map.copyOf(participationCorrections);
    }

    /** A step with no stored optimizer state, no control deltas and no participation corrections. */
    public static RoundInput of(GlobalModel current, ModelWeights currentWeights, ModelSpec spec, AggregationSettings settings,
            List<ClientUpdate> updates, List<RejectedUpdate> rejected, Instant now) {
        return new RoundInput(current, currentWeights, spec, settings, updates, rejected, now, null, Map.of(), Map.of());
    }

    /** This input with other updates (e.g. FedBuff's staleness-weighted ones). */
    public RoundInput withUpdates(List<ClientUpdate> newUpdates) {
        return new RoundInput(current, currentWeights, spec, settings, newUpdates, rejected, now, optimizerState, controlDeltas,
                participationCorrections);
    }

    /** This input with the server optimizer's state after the previous step (null: the initial state). */
    public RoundInput withOptimizerState(OptimizerState state) {
        return new RoundInput(current, currentWeights, spec, settings, updates, rejected, now, state, controlDeltas,
                participationCorrections);
    }

    /** This input with SCAFFOLD's control deltas Δc_i by updateId. */
    public RoundInput withControlDeltas(Map<String, ModelWeights> deltas) {
        return new RoundInput(current, currentWeights, spec, settings, updates, rejected, now, optimizerState, deltas,
                participationCorrections);
    }

    /** This input with FedBuff's participation corrections {@code c_i} by client id. */
    public RoundInput withParticipationCorrections(Map<String, Double> corrections) {
        return new RoundInput(current, currentWeights, spec, settings, updates, rejected, now, optimizerState, controlDeltas,
                corrections);
    }

    /** The version this step publishes: {@code current + 1}. */
    public long nextVersion() {
        return current.getVersion() + 1;
    }

    /** The optimizer state the step starts from: the stored one, or the model's optimizer's initial state. */
    public OptimizerState optimizerStateBefore() {
        return optimizerState != null ? optimizerState : settings.drift().serverOptimizer().initialState(currentWeights);
    }
}
