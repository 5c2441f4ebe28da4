package io.floe.bench.ingest;

import java.util.Arrays;

/** Nearest-rank percentiles (the smallest sample with at least p% of the samples at or below it). */
public final class Percentiles {
    private Percentiles() {
    }

    /**
     * The nearest-rank {@code p}-th percentile of {@code samples}: with n samples sorted, the one at
     * rank {@code ceil(p / 100 * n)} (1-based); p99 of fewer than 100 samples is their maximum.
     * NaN for no samples.
     */
    public static double nearestRank(double[] samples, double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], not " + p);
        }
        if (samples.length == 0) {
            return Double.NaN;
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p * s.length / 100.0);
        return s[Math.max(1, rank) - 1];
    }
}
