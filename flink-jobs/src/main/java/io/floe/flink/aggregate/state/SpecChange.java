package io.floe.flink.aggregate.state;

import io.floe.core.async.AsyncMode;
import io.floe.core.async.ParticipationWeighting;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.settings.AggregationSettings;

/**
 * A spec that reconfigures an existing model, as the state holders see it: the settings before
 * and after. Weights, version and layout never change here (a spec with another layout is refused
 * before), so the questions are which of the aggregation's behaviours changed.
 */
public record SpecChange(String modelId, AggregationSettings before, AggregationSettings after) {

    public AsyncMode modeBefore() {
        return before.async().mode();
    }

    public AsyncMode modeAfter() {
        return after.async().mode();
    }

    /** The (a)synchronous mode changed: sync rounds, FedAsync and FedBuff keep different pending state. */
    public boolean modeChanged() {
        return modeBefore() != modeAfter();
    }

    /** The drift algorithm changed: pending updates were validated for the old one (SCAFFOLD's control deltas). */
    public boolean algorithmChanged() {
        return !algorithm(before).equals(algorithm(after));
    }

    /**
     * Updates waiting under the old mode or algorithm (an open round, a partial buffer) cannot be
     * aggregated under the new one; their clients train again on the next version.
     */
    public boolean dropsPendingUpdates() {
        return modeChanged() || algorithmChanged();
    }

    /** FedBuff's participation weighting was turned on, off or given another cap. */
    public boolean participationWeightingChanged() {
        return !weighting(before).equals(weighting(after));
    }

    private static DriftAlgorithm algorithm(AggregationSettings s) {
        return s.drift().algorithm();
    }

    private static ParticipationWeighting weighting(AggregationSettings s) {
        return s.async().participationWeighting();
    }
}
