package io.floe.core.chunk;

import java.util.List;
import java.util.Map;

/**
 * The next version's slice of one chunk, from what its folder holds when the round closes: the
 * current slice, and either the exact sum of the folded members (the averaging family) or the
 * members' kept values (coordinate-wise rules), then the model's server step: the plain
 * {@code w + eta_g Delta}, or an adaptive optimizer with the chunk's moments ({@link ChunkServerStep}).
 * A round without members keeps the slice (Flower: a failed round keeps the previous weights).
 */
public final class NextSlice {
    private NextSlice() {
    }

    /** The next slice, and the moments to keep (null: the plain step keeps none, leave them as they are). */
    public record Result(float[] values, Map<String, float[]> moments) {
    }

    /**
     * @param kept the members' values in updateId order, for a coordinate-wise {@code rule}; ignored otherwise
     * @param sum the folded members' exact sum, for the averaging family
     * @param totalWeight n, the members' total weight
     * @param scale eta_g (times FedNova's tau_eff) for the plain step
     */
    public static Result of(float[] base, String rule, int trimPerSide, List<float[]> kept, ExactSum sum, long totalWeight,
            double scale, String serverOptimizer, Map<String, float[]> moments) {
        boolean coordinateWise = CoordinateWiseChunk.handles(rule);
        if (coordinateWise ? kept.isEmpty() : totalWeight == 0) {
            return new Result(base.clone(), null);
        }
        if (ChunkServerStep.isPlain(serverOptimizer)) {
            float[] next = coordinateWise ? CoordinateWiseChunk.next(base, kept, rule, trimPerSide, (float) scale)
                    : sum.applyTo(base, totalWeight, scale);
            return new Result(next, null);
        }
        float[] delta = coordinateWise ? CoordinateWiseChunk.delta(base.length, kept, rule, trimPerSide) : sum.mean(totalWeight);
        ChunkServerStep.Result step = ChunkServerStep.step(serverOptimizer, base, delta, moments);
        return new Result(step.next(), step.moments());
    }
}
