package io.floe.core.aggregate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Averages client-reported metrics with the FedAvg weights n_k / n. A metric that only some
 * clients report is averaged over those clients (weights renormalised); non-finite values are
 * ignored so one broken client cannot turn the round's figure into NaN.
 */
public final class WeightedMetrics {
    private WeightedMetrics() {
    }

    public static Map<String, Double> average(List<ClientUpdate> updates) {
        Map<String, double[]> sums = new TreeMap<>();
        for (ClientUpdate u : updates) {
            for (Map.Entry<String, Double> e : u.metrics().entrySet()) {
                Double v = e.getValue();
                if (v == null || !Double.isFinite(v)) {
                    continue;
                }
                double[] s = sums.computeIfAbsent(e.getKey(), k -> new double[2]);
                s[0] += u.numExamples() * v;
                s[1] += u.numExamples();
            }
        }
        Map<String, Double> out = new TreeMap<>();
        sums.forEach((k, s) -> out.put(k, s[0] / s[1]));
        return out;
    }
}
