package io.floe.deploy.local;

/**
 * One published global version as the demo saw it: who took part and how the model does on the
 * held-out test set.
 *
 * @param version the global version
 * @param participants updates aggregated into it (0 for version 0)
 * @param rejected updates rejected during its round
 * @param testAuc ROC AUC on the held-out test set
 * @param testAccuracy accuracy at threshold 0.5 on the held-out test set
 * @param clientAuc the clients' local validation AUC, weighted by examples (NaN when not reported)
 * @param seconds seconds since the model was registered
 */
public record RoundRecord(long version, int participants, int rejected, double testAuc, double testAccuracy,
        double clientAuc, double seconds) {
}
