package io.floe.deploy.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The four system metrics of a federated run, the figures an operator compares deployments by, not
 * just the final score: what it cost to get there (communication), what federation costs against
 * pooling the data (gap), what privacy was spent, and how many of the clients asked actually took part.
 * Computed from the run's {@link RoundRecord}s (version 0 first) and, for the gap, its centralised
 * baseline; plain Java, so the demo's summary and the benchmarks' tables share one definition.
 *
 * <ol>
 *   <li><b>Communication efficiency</b>: the first version whose test score reaches the {@link Target}
 *       (rounds = versions for sync rounds), and the uplink bytes of the updates aggregated up to it
 *       (measured wire sizes, {@link UplinkLedger}); also the bytes over the whole run.
 *   <li><b>Gap to centralised training</b>: centralised score minus the final version's score, on the
 *       target's metric (positive: federated is behind); NaN without a baseline.
 *   <li><b>Privacy</b> ({@link Privacy}): central DP's (epsilon, delta) from the last report's ledger,
 *       local DP-SGD's as the largest epsilon an aggregated update reported, or none.
 *   <li><b>Participation</b>: per version after 0, accepted updates over the clients its base version
 *       asked (the selection), or over all clients when it asked everyone; mean and minimum. Under
 *       FedAsync every version aggregates one update, so the rate is 1/clients by design.
 * </ol>
 *
 * {@code FlSystemMetrics m = FlSystemMetrics.of(history, Target.auc(0.98), baselines.centralized(), 10, NaN, NaN);}
 *
 * @param versionsToTarget the first version at or above the target, -1 if none
 * @param uplinkBytesToTarget uplink bytes of the updates aggregated into versions 1..versionsToTarget, -1 if never reached
 * @param uplinkBytes uplink bytes of all updates aggregated in the run
 * @param updates updates aggregated in the run
 * @param versions the last version of the run
 * @param federated the last version's score on the target's metric
 * @param centralized the centralised baseline's score on it, NaN when not trained
 * @param meanParticipation mean over versions 1.. of the participation rate, NaN when there is none
 * @param minParticipation its minimum
 * @param participationBase what the rates divide by: {@code selected}, {@code clients} or {@code selected|clients}
 */
public record FlSystemMetrics(Target target, long versionsToTarget, long uplinkBytesToTarget, long uplinkBytes, long updates,
        long versions, double federated, double centralized, Privacy privacy, double meanParticipation, double minParticipation,
        String participationBase) {

    /** A test score to reach: {@code auc} or {@code accuracy} on the held-out set, at least {@code threshold}. */
    public record Target(String metric, double threshold) {
        public Target {
            if (!"auc".equals(metric) && !"accuracy".equals(metric)) {
                throw new IllegalArgumentException("target metric must be auc or accuracy, was " + metric);
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("target " + metric + " must be in (0, 1], was " + threshold);
            }
        }

        public static Target auc(double threshold) {
            return new Target("auc", threshold);
        }

        public static Target accuracy(double threshold) {
            return new Target("accuracy", threshold);
        }

        double score(RoundRecord r) {
            return "auc".equals(metric) ? r.testAuc() : r.testAccuracy();
        }

        double score(TestScores s) {
            return "auc".equals(metric) ? s.auc() : s.accuracy();
        }

        /** E.g. {@code test AUC}. */
        public String label() {
            return "auc".equals(metric) ? "test AUC" : "test accuracy";
        }
    }

    /**
     * (epsilon, delta) spent; an epsilon is NaN when that mechanism was off.
     *
     * @param centralEpsilon central DP (DP-FedAvg on the server): the last version's ledger
     * @param localEpsilon local DP-SGD: the largest epsilon an aggregated update reported (each site's
     *     guarantee is its own; the weakest is the run's)
     */
    public record Privacy(double centralEpsilon, double centralDelta, double localEpsilon, double localDelta) {
        /**
         * @param centralDelta the model's dpDelta
         * @param localDelta the trainers' DP-SGD delta (NaN when unknown)
         */
        static Privacy of(List<RoundRecord> history, double centralDelta, double localDelta) {
            double central = Double.NaN;
            double local = Double.NaN;
            for (RoundRecord r : history) {
                if (Double.isFinite(r.epsilon())) {
                    central = r.epsilon();
                }
                if (Double.isFinite(r.clientEpsilon()) && (Double.isNaN(local) || r.clientEpsilon() > local)) {
                    local = r.clientEpsilon();
                }
            }
            return new Privacy(central, Double.isNaN(central) ? Double.NaN : centralDelta, local,
                    Double.isNaN(local) ? Double.NaN : localDelta);
        }

        public boolean none() {
            return Double.isNaN(centralEpsilon) && Double.isNaN(localEpsilon);
        }

        /** E.g. {@code none}, {@code central DP (3.12, 1e-05)}, {@code local DP-SGD (2.00, 1e-05)}. */
        public String describe() {
            if (none()) {
                return "none";
            }
            String c = Double.isNaN(centralEpsilon) ? "" : String.format(Locale.ROOT, "central DP (%.3f, %.0e)", centralEpsilon, centralDelta);
            String l = Double.isNaN(localEpsilon) ? "" : String.format(Locale.ROOT, "local DP-SGD (%.3f, %.0e), largest over clients",
                    localEpsilon, localDelta);
            return c.isEmpty() ? l : l.isEmpty() ? c : c + "; " + l;
        }
    }

    /**
     * @param history the run's versions, version 0 first
     * @param centralized the centralised baseline, or null when none was trained
     * @param clients the population, the denominator of a version that asked every client
     * @param centralDelta the model's central-DP delta (used only when a report carries a ledger)
     * @param localDelta the trainers' DP-SGD delta (used only when updates report an epsilon)
     */
    public static FlSystemMetrics of(List<RoundRecord> history, Target target, TestScores centralized, int clients,
            double centralDelta, double localDelta) {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("a run's history holds at least version 0");
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be at least 1, was " + clients);
        }
        long toTarget = -1;
        long bytesToTarget = -1;
        long bytes = 0;
        long updates = 0;
        double rateSum = 0;
        double rateMin = Double.NaN;
        int rated = 0;
        boolean bySelection = false;
        boolean byClients = false;
        for (RoundRecord r : history) {
            bytes += r.uplinkBytes();
            updates += r.participants();
            if (toTarget < 0 && target.score(r) >= target.threshold()) {
                toTarget = r.version();
                bytesToTarget = bytes;
            }
            if (r.version() > 0) {
                int asked = r.selected() > 0 ? r.selected() : clients;
                bySelection |= r.selected() > 0;
                byClients |= r.selected() <= 0;
                double rate = (double) r.participants() / asked;
                rateSum += rate;
                rateMin = rated == 0 ? rate : Math.min(rateMin, rate);
                rated++;
            }
        }
        RoundRecord last = history.get(history.size() - 1);
        return new FlSystemMetrics(target, toTarget, bytesToTarget, bytes, updates, last.version(), target.score(last),
                centralized == null ? Double.NaN : target.score(centralized), Privacy.of(history, centralDelta, localDelta),
                rated == 0 ? Double.NaN : rateSum / rated, rateMin,
                bySelection && byClients ? "selected|clients" : bySelection ? "selected" : "clients");
    }

    /** Centralised minus federated on the target's metric: positive when federation is behind; NaN without a baseline. */
    public double gap() {
        return centralized - federated;
    }

    public boolean reached() {
        return versionsToTarget >= 0;
    }

    /** Why the centralised gap is missing when no hint is given. */
    static final String NO_BASELINE = "no centralised baseline was trained";

    /** The summary table the demo prints after its comparison table. */
    public void print(PrintStream out) {
        print(out, NO_BASELINE);
    }

    /**
     * As {@link #print(PrintStream)}; {@code whyNoGap} follows "not measured" when there is no
     * centralised baseline, e.g. how to train one.
     */
    public void print(PrintStream out, String whyNoGap) {
        out.println("FL system metrics (uplink: wire bytes of the aggregated updates)");
        out.printf(Locale.ROOT, "  communication   %s >= %.3f %s; %d versions, %s uplink in all (%d updates)%n", target.label(),
                target.threshold(), reached() ? String.format(Locale.ROOT, "at version %d after %s uplink", versionsToTarget,
                        ByteSize.of(uplinkBytesToTarget)) : "not reached", versions, ByteSize.of(uplinkBytes), updates);
        out.printf(Locale.ROOT, "  centralised gap %s%n", Double.isNaN(centralized) ? "not measured (" + whyNoGap + ")"
                : String.format(Locale.ROOT, "%s %.4f centralised - %.4f federated = %+.4f", target.label(), centralized, federated, gap()));
        out.printf(Locale.ROOT, "  privacy         (epsilon, delta): %s%n", privacy.describe());
        out.printf(Locale.ROOT, "  participation   %s%n", Double.isNaN(meanParticipation) ? "n/a (no version after 0)"
                : String.format(Locale.ROOT, "accepted / %s per version: mean %.3f, min %.3f", participationBase, meanParticipation,
                        minParticipation));
        out.println();
    }

    /** Fills {@code node} (the report's {@code system_metrics}); JSON has no NaN, so undefined figures are null. */
    public void writeTo(ObjectNode node) {
        ObjectNode c = node.putObject("communication");
        c.put("target_metric", target.metric());
        c.put("target", target.threshold());
        c.put("reached", reached());
        if (reached()) {
            c.put("versions_to_target", versionsToTarget);
            c.put("uplink_bytes_to_target", uplinkBytesToTarget);
        } else {
            c.putNull("versions_to_target");
            c.putNull("uplink_bytes_to_target");
        }
        c.put("versions", versions);
        c.put("updates", updates);
        c.put("uplink_bytes", uplinkBytes);
        c.put("uplink_bytes_measured", "Avro single-object encoding of each aggregated ModelUpdate (Kafka record value)");
        ObjectNode g = node.putObject("centralized_gap");
        g.put("metric", target.metric());
        g.put("federated", federated);
        putOrNull(g, "centralized", centralized);
        putOrNull(g, "gap", gap());
        if (Double.isNaN(centralized)) {
            g.put("note", "not measured: " + NO_BASELINE);
        }
        if (privacy.none()) {
            node.put("privacy", "none");
        } else {
            ObjectNode p = node.putObject("privacy");
            if (!Double.isNaN(privacy.centralEpsilon())) {
                p.putObject("central").put("epsilon", privacy.centralEpsilon()).put("delta", privacy.centralDelta());
            }
            if (!Double.isNaN(privacy.localEpsilon())) {
                putOrNull(p.putObject("local").put("epsilon", privacy.localEpsilon()), "delta", privacy.localDelta());
            }
        }
        ObjectNode r = node.putObject("participation");
        r.put("base", participationBase);
        putOrNull(r, "mean", meanParticipation);
        putOrNull(r, "min", minParticipation);
    }

    private static void putOrNull(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    /** Human-readable sizes for the printed table (the JSON keeps exact bytes). */
    public static final class ByteSize {
        private ByteSize() {
        }

        public static String of(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            double kib = bytes / 1024.0;
            return kib < 1024 ? String.format(Locale.ROOT, "%.1f KiB", kib) : String.format(Locale.ROOT, "%.2f MiB", kib / 1024);
        }
    }
}
