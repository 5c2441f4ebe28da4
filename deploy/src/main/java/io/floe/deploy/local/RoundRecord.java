package io.floe.deploy.local;

/**
 * One published global version as a run saw it: who took part and how the model does on the
 * held-out test set.
 *
 * @param version the global version
 * @param participants updates aggregated into it (0 for version 0)
 * @param rejected updates rejected during its round (validation, quarantine or anomaly policy)
 * @param attackersRejected of those, updates sent by attacking clients
 * @param attackersFlagged attackers' updates the anomaly scores found suspicious (any decision but ACCEPT)
 * @param honestFlagged honest clients' updates the anomaly scores found suspicious (false positives)
 * @param testAuc ROC AUC on the held-out test set (NaN for a multiclass model)
 * @param testAccuracy accuracy on the held-out test set (threshold 0.5, or argmax over K classes)
 * @param clientAuc the clients' local validation AUC, weighted by examples (NaN when not reported)
 * @param backdoorSuccess share of triggered test records (not of the target class) classified as
 *     the backdoor's target (NaN unless the run's attack is a backdoor)
 * @param seconds seconds since the run started
 * @param rejections one line per rejected update: client, reason code and explanation
 * @param epsilon central-DP epsilon spent so far (NaN without central DP)
 * @param lateUpdates updates dropped in its round for coming too late (LATE_UPDATE, STALE_UPDATE)
 * @param meanStaleness mean staleness tau of the updates aggregated into it (0 for sync rounds)
 * @param testLoss mean cross-entropy on the held-out test set
 * @param clientAccuracy the clients' local validation accuracy, weighted by examples (NaN when not reported)
 * @param selected clients its base version asked to train (the report's selectedClients); -1 when it asked
 *     every client
 * @param uplinkBytes wire bytes of the updates aggregated into it, as the trainers sent them ({@link UplinkLedger})
 * @param clientEpsilon the largest DP-SGD epsilon those updates reported (NaN without local DP)
 * @param denseUplinkBytes what those updates would have taken with dense float32 tensors (the report's
 *     denseUplinkBytes; equal to the wire bytes without compression, 0 when unknown)
 * @param attackerUpdatesAccepted attacker records aggregated into it: accepted updates of attacking sites, updates a
 *     {@link TrustAttack} made up, and updates counted a second time (a replay)
 */
public record RoundRecord(long version, int participants, int rejected, int attackersRejected, int attackersFlagged,
        int honestFlagged, double testAuc,
        double testAccuracy, double clientAuc, double backdoorSuccess, double seconds, java.util.List<String> rejections,
        double epsilon, int lateUpdates, double meanStaleness, double testLoss, double clientAccuracy, int selected,
        long uplinkBytes, double clientEpsilon, long denseUplinkBytes, int attackerUpdatesAccepted) {
}
