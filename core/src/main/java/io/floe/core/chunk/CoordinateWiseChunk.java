package io.floe.core.chunk;

import io.floe.core.aggregate.Bulyan;
import io.floe.core.aggregate.CoordinateWiseMedian;
import io.floe.core.aggregate.TrimmedMean;
import io.floe.core.kernel.CoordinateKernels;
import java.util.List;
import java.util.Locale;

/**
 * Coordinate-wise rules on one chunk of a chunked model (issue 13): the median (Yin et al. 2018,
 * Definition 1) or the trimmed mean (Definition 2) of the members' values of this chunk, computed
 * where the chunk lives. Both rules are separable by coordinate, so running them chunk by chunk
 * gives the same delta, bit for bit, as running them on whole updates (the same kernels,
 * {@link CoordinateKernels}); the next slice is {@code w + eta_g delta} in float32, as the
 * whole-record path computes it ({@code ModelWeights.plusScaled}). Bulyan's second step (the mean
 * of the β values closest to the median, El Mhamdi et al. 2018) runs here too, on the members Krum
 * chose ({@code KrumSelection}), with β in {@code trimPerSide}.
 */
public final class CoordinateWiseChunk {
    private CoordinateWiseChunk() {
    }

    /** Whether {@code rule} is one this class runs (the others are folded into an {@link ExactSum}). */
    public static boolean handles(String rule) {
        String r = rule == null ? "" : rule.trim().toLowerCase(Locale.ROOT);
        return r.equals(CoordinateWiseMedian.NAME) || r.equals(TrimmedMean.NAME) || r.equals(Bulyan.NAME);
    }

    /** Whether {@code rule} is one whose chunks' folders send their share of the cosine scores with the chunk (median, trimmed mean). */
    public static boolean sharesCosines(String rule) {
        return handles(rule) && !Bulyan.NAME.equals(rule.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The next slice from {@code base} and the members' values of this chunk ({@code members},
     * one array per update, each of {@code base.length} values).
     *
     * @param trimPerSide trimmed mean's b = floor(beta K); Bulyan's β; ignored by the median
     */
    public static float[] next(float[] base, List<float[]> members, String rule, int trimPerSide, float eta) {
        if (members.isEmpty()) {
            return base.clone();
        }
        float[] delta = delta(base.length, members, rule, trimPerSide);
        float[] next = new float[base.length];
        for (int j = 0; j < base.length; j++) {
            next[j] = base[j] + eta * delta[j];
        }
        return next;
    }

    /** The rule's delta over the members' values of this chunk (before any server step). */
    public static float[] delta(int length, List<float[]> members, String rule, int trimPerSide) {
        float[][] columns = members.toArray(float[][]::new);
        float[] delta = new float[length];
        if (rule.trim().toLowerCase(Locale.ROOT).equals(CoordinateWiseMedian.NAME)) {
            CoordinateKernels.median(columns, delta, 1); // the job runs many chunks in parallel already
        } else if (rule.trim().toLowerCase(Locale.ROOT).equals(TrimmedMean.NAME)) {
            CoordinateKernels.trimmedMean(columns, trimPerSide, delta, 1);
        } else if (rule.trim().toLowerCase(Locale.ROOT).equals(Bulyan.NAME)) {
            return Bulyan.closestToMedianMeans(members, trimPerSide, length);
        } else {
            throw new IllegalArgumentException("not a coordinate-wise rule: " + rule);
        }
        return delta;
    }
}
