package io.floe.bench.robustness;

import io.floe.deploy.local.RoundRecord;
import java.util.List;

/**
 * The outcome of one run: final test AUC/accuracy, backdoor success, and how often the anomaly
 * scores caught the attackers (and wrongly caught honest clients).
 */
public record RobustnessResult(String rule, String attack, int byzantine, double auc, double accuracy,
        double backdoorSuccess, double attackerDetectionRate, double honestFlagRate, int rounds, double seconds) {

    public static RobustnessResult of(String rule, String attack, int byzantine, int clients, List<RoundRecord> history) {
        RoundRecord last = history.get(history.size() - 1);
        int rounds = history.size() - 1;
        long attackerUpdates = (long) rounds * byzantine;
        long honestUpdates = (long) rounds * (clients - byzantine);
        int attackersFlagged = history.stream().mapToInt(RoundRecord::attackersFlagged).sum();
        int honestFlagged = history.stream().mapToInt(RoundRecord::honestFlagged).sum();
        return new RobustnessResult(rule, attack, byzantine, last.testAuc(), last.testAccuracy(), last.backdoorSuccess(),
                attackerUpdates == 0 ? Double.NaN : (double) attackersFlagged / attackerUpdates,
                honestUpdates == 0 ? Double.NaN : (double) honestFlagged / honestUpdates, rounds, last.seconds());
    }

    public String scenario() {
        return byzantine == 0 ? "clean" : attack + " x" + byzantine;
    }
}
