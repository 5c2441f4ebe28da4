package io.floe.bench.privacy;

/**
 * One run of the privacy experiment.
 *
 * @param setting "local DP-SGD" or "central DP"
 * @param clients trainers
 * @param parameter the target epsilon (local) or the noise multiplier z (central); NaN without DP
 * @param epsilon the epsilon actually spent at {@code delta} (local: the clients' mean; central: the ledger); +inf without DP
 * @param delta delta
 * @param auc final test AUC
 * @param accuracy final test accuracy
 * @param versions global versions published (fewer than planned when a budget stopped the run)
 */
public record PrivacyPoint(String setting, int clients, double parameter, double epsilon, double delta, double auc, double accuracy,
        long versions) {
}
