package io.floe.bench.compression;

import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.RoundRecord;
import java.util.List;
import java.util.Objects;

/**
 * One finished run of a {@link CompressionVariant} on one scenario: its versions as the run saw
 * them, and the figures the experiment reports. Uplink bytes are the wire bytes of the aggregated
 * updates ({@code RoundRecord#uplinkBytes}), summed from version 1 on.
 *
 * @param scenario {@code hospitals} or {@code fmnist}
 * @param variant what the trainers and the server did
 * @param target the score and threshold the "to target" figures use (test AUC or accuracy)
 * @param history the run's versions, version 0 first
 * @param seconds wall time of the run
 */
public record CompressionRun(String scenario, CompressionVariant variant, FlSystemMetrics.Target target, List<RoundRecord> history,
        double seconds) {
    public CompressionRun {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(target, "target");
        if (history == null || history.isEmpty()) {
            throw new IllegalArgumentException("a run's history holds at least version 0");
        }
        history = List.copyOf(history);
    }

    public RoundRecord last() {
        return history.get(history.size() - 1);
    }

    /** The target's score (test AUC or accuracy) of the last version. */
    public double finalScore() {
        return score(last());
    }

    /** The first version whose score reaches the target, or -1. */
    public long versionToTarget() {
        for (RoundRecord r : history) {
            if (score(r) >= target.threshold()) {
                return r.version();
            }
        }
        return -1;
    }

    /** Uplink bytes up to and including {@link #versionToTarget()}, or -1 when the target was not reached. */
    public long bytesToTarget() {
        long v = versionToTarget();
        return v < 0 ? -1 : cumulativeBytes()[indexOf(v)];
    }

    public long uplinkBytes() {
        long sum = 0;
        for (RoundRecord r : history) {
            sum += r.uplinkBytes();
        }
        return sum;
    }

    /** What the same updates would have taken as dense float32 tensors, as the job's reports count it. */
    public long denseUplinkBytes() {
        long sum = 0;
        for (RoundRecord r : history) {
            sum += r.denseUplinkBytes();
        }
        return sum;
    }

    /** The uplink bytes after each version of {@link #history()}, in order. */
    public long[] cumulativeBytes() {
        long[] out = new long[history.size()];
        long sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += history.get(i).uplinkBytes();
            out[i] = sum;
        }
        return out;
    }

    /** How many times fewer uplink bytes than {@code dense} took in all: its bytes over this run's; NaN when either is 0. */
    public double reductionAgainst(CompressionRun dense) {
        long mine = uplinkBytes();
        long theirs = dense.uplinkBytes();
        return mine == 0 || theirs == 0 ? Double.NaN : (double) theirs / mine;
    }

    /** Test AUC or accuracy of {@code r}, as {@link #target()} says. */
    public double score(RoundRecord r) {
        return "auc".equals(target.metric()) ? r.testAuc() : r.testAccuracy();
    }

    private int indexOf(long version) {
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).version() == version) {
                return i;
            }
        }
        throw new IllegalArgumentException("no version " + version);
    }
}
