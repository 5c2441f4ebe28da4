package io.floe.bench.async;

import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.RoundRecord;
import java.util.List;

/**
 * One run of the async experiment.
 *
 * @param variant the server configuration
 * @param dropout the dropout probability of the run's devices
 * @param curve (seconds since version 0, test AUC) per published version
 * @param secondsToTarget seconds from version 0 to the first version at or above the target AUC; NaN if never
 * @param versionsToTarget that version; -1 if never
 * @param finalAuc test AUC of the last version within the time budget
 * @param versions versions published within the budget
 * @param updatesUsed updates aggregated into those versions
 * @param updatesLate updates dropped for coming too late (sync) or too stale (async)
 * @param meanStaleness mean staleness of the aggregated updates
 * @param system the run's system metrics against the target AUC (no centralised gap: a run is bounded by
 *     time, not by an epoch budget a baseline could match)
 */
record AsyncResult(AsyncVariant variant, double dropout, List<double[]> curve, double secondsToTarget, long versionsToTarget,
        double finalAuc, long versions, long updatesUsed, long updatesLate, double meanStaleness, FlSystemMetrics system) {

    static AsyncResult of(AsyncVariant variant, double dropout, List<RoundRecord> history, double targetAuc, int clients) {
        double t0 = history.isEmpty() ? 0 : history.get(0).seconds();
        List<double[]> curve = history.stream().map(r -> new double[] {r.seconds() - t0, r.testAuc()}).toList();
        double toTarget = Double.NaN;
        long versionAt = -1;
        long used = 0;
        long late = 0;
        double staleSum = 0;
        for (RoundRecord r : history) {
            if (Double.isNaN(toTarget) && r.testAuc() >= targetAuc) {
                toTarget = r.seconds() - t0;
                versionAt = r.version();
            }
            used += r.participants();
            late += r.lateUpdates();
            staleSum += r.meanStaleness() * r.participants();
        }
        RoundRecord last = history.get(history.size() - 1);
        return new AsyncResult(variant, dropout, curve, toTarget, versionAt, last.testAuc(), last.version(), used, late,
                used == 0 ? 0 : staleSum / used,
                FlSystemMetrics.of(history, FlSystemMetrics.Target.auc(targetAuc), null, clients, Double.NaN, Double.NaN));
    }
}
