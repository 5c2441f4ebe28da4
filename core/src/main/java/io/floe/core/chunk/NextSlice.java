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
        return of(base, rule, trimPerSide, kept, sum, totalWeight, scale, serverOptimizer, moments, null);
    }

    /**
     * As above, with central DP's noise (null: none) added to the sum before it is divided by
     * {@code totalWeight} (DP-FedAvg's fixed denominator): the delta is {@code (S_i + noise_i) / K},
     * computed in double and rounded once.
     */
    public static Result of(float[] base, String rule, int trimPerSide, List<float[]> kept, ExactSum sum, long totalWeight,
            double scale, String serverOptimizer, Map<String, float[]> moments, double[] noise) {
        if (noise != null) {
            if (CoordinateWiseChunk.handles(rule) || noise.length != base.length || totalWeight <= 0) {
                throw new IllegalArgumentException("DP noise applies to the averaging family's sum, one value per coordinate");
            }
            float[] delta = new float[base.length];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = (float) ((sum.valueAt(i) + noise[i]) / totalWeight);
            }
            if (!ChunkServerStep.isPlain(serverOptimizer)) {
                ChunkServerStep.Result step = ChunkServerStep.step(serverOptimizer, base, delta, moments);
                return new Result(step.next(), step.moments());
            }
            float[] next = new float[base.length];
            for (int i = 0; i < next.length; i++) {
                next[i] = (float) (base[i] + scale * ((sum.valueAt(i) + noise[i]) / totalWeight));
            }
            return new Result(next, null);
        }
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

    /** Gaussian noise of standard deviation {@code std} for {@code length} coordinates, drawn in order from {@code seed}. */
    public static double[] gaussianNoise(long seed, int length, double std) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            out[i] = std * rng.nextGaussian();
        }
        return out;
    }
}
