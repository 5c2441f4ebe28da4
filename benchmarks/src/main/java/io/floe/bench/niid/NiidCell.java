package io.floe.bench.niid;

import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.TestScores;
import java.util.List;

/**
 * One run of the grid: a partition and an algorithm, through the real broker and job.
 *
 * @param partition the NIID-Bench partition spec, e.g. {@code labels:2}
 * @param algorithm the drift algorithm spec, e.g. {@code fedprox:mu=0.01}
 * @param history every published version with its test accuracy, version 0 first
 * @param seconds wall-clock seconds of the run, registration to last version
 */
public record NiidCell(String partition, String algorithm, List<RoundRecord> history, double seconds) {

    public RoundRecord last() {
        return history.get(history.size() - 1);
    }

    public double finalAccuracy() {
        return last().testAccuracy();
    }

    public double bestAccuracy() {
        return history.stream().mapToDouble(RoundRecord::testAccuracy).max().orElse(Double.NaN);
    }

    /** The first version whose test accuracy reaches {@code target}, or -1 if none does. */
    public long roundsTo(double target) {
        return history.stream().filter(r -> r.testAccuracy() >= target).mapToLong(RoundRecord::version).findFirst().orElse(-1);
    }

    /**
     * The run's system metrics against a target test accuracy: versions and uplink bytes to it, the gap
     * to {@code centralized} (null before the baselines are trained), participation over {@code clients}.
     */
    public FlSystemMetrics systemMetrics(double targetAccuracy, TestScores centralized, int clients) {
        return FlSystemMetrics.of(history, FlSystemMetrics.Target.accuracy(targetAccuracy), centralized, clients, Double.NaN,
                Double.NaN);
    }

    /**
     * Mean seconds between consecutive versions after version 1 (local training, transfer and
     * aggregation of one round), the basis of the full-profile estimate.
     */
    public double meanRoundSeconds() {
        if (history.size() < 3) {
            return history.size() == 2 ? history.get(1).seconds() - history.get(0).seconds() : Double.NaN;
        }
        RoundRecord first = history.get(1);
        RoundRecord end = last();
        return (end.seconds() - first.seconds()) / (end.version() - first.version());
    }
}
