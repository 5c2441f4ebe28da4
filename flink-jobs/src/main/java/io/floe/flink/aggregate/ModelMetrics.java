package io.floe.flink.aggregate;

import io.floe.core.validate.RejectionReason;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * One model's metrics, registered once on the group {@code model=<modelId>} (a Prometheus label):
 * counters of what the model received and published, gauges of its last version, histograms of
 * round durations and staleness. Values come only from what the operator publishes (models,
 * reports, dead letters) and from the bytes of each update it receives.
 *
 * <p>Gauges are read by the reporter's thread, so their backing fields are volatile. A gauge with
 * nothing to say reads NaN: participation without a selection, epsilon without central DP, the
 * last version's figures before this task has published one (also right after a restore).
 */
final class ModelMetrics {
    static final String UPDATES_ACCEPTED = "updatesAccepted";
    static final String UPDATES_REJECTED = "updatesRejected";
    static final String VERSIONS_PUBLISHED = "versionsPublished";
    static final String DEAD_LETTERS = "deadLetters";
    static final String UPDATE_BYTES_RECEIVED = "updateBytesReceived";
    static final String CURRENT_VERSION = "currentVersion";
    static final String LAST_PARTICIPANTS = "lastParticipants";
    static final String LAST_PARTICIPATION_RATE = "lastParticipationRate";
    static final String EPSILON_SPENT = "epsilonSpent";
    static final String LAST_MEAN_STALENESS = "lastMeanStaleness";
    static final String ROUND_DURATION_MS = "roundDurationMs";
    static final String STALENESS = "staleness";
    /** Samples each histogram keeps: quantiles over the last rounds, not the whole run. */
    static final int HISTOGRAM_WINDOW = 500;
    /** A report's status for a published version (its schema default). */
    private static final String PUBLISHED = "PUBLISHED";

    private final Counter accepted;
    private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);
    private final Counter versions;
    private final Counter deadLetters;
    private final Counter bytesReceived;
    private final Histogram roundDuration;
    private final Histogram staleness;

    private volatile long currentVersion = -1;
    private volatile double lastParticipants = Double.NaN;
    private volatile double lastParticipationRate = Double.NaN;
    private volatile double epsilonSpent = Double.NaN;
    private volatile double lastMeanStaleness = Double.NaN;
    /** Record time of the previous published version in this task's life; -1 before the first. */
    private long previousVersionAt = -1;

    ModelMetrics(MetricGroup model) {
        accepted = model.counter(UPDATES_ACCEPTED);
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, model.addGroup("reason", reason.name()).counter(UPDATES_REJECTED));
        }
        versions = model.counter(VERSIONS_PUBLISHED);
        deadLetters = model.counter(DEAD_LETTERS);
        bytesReceived = model.counter(UPDATE_BYTES_RECEIVED);
        roundDuration = model.histogram(ROUND_DURATION_MS, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        staleness = model.histogram(STALENESS, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        model.gauge(CURRENT_VERSION, (Gauge<Long>) () -> currentVersion);
        model.gauge(LAST_PARTICIPANTS, (Gauge<Double>) () -> lastParticipants);
        model.gauge(LAST_PARTICIPATION_RATE, (Gauge<Double>) () -> lastParticipationRate);
        model.gauge(EPSILON_SPENT, (Gauge<Double>) () -> epsilonSpent);
        model.gauge(LAST_MEAN_STALENESS, (Gauge<Double>) () -> lastMeanStaleness);
    }

    void updateReceived(int bytes) {
        bytesReceived.inc(bytes);
    }

    /** A version went out (version 0 included): the round duration is the record time since the previous one. */
    void published(GlobalModel version) {
        versions.inc();
        currentVersion = version.getVersion();
        long at = version.getCreatedAt().toEpochMilli();
        if (previousVersionAt >= 0) {
            roundDuration.update(Math.max(0, at - previousVersionAt));
        }
        previousVersionAt = at;
    }

    /**
     * A report went out. Only a PUBLISHED report's updates count as accepted (an EXTENDED report's
     * round stays open and is reported again; a BUDGET_EXHAUSTED round published nothing), but any
     * report's privacy ledger says how much epsilon is spent.
     */
    void reported(AggregationReport report) {
        if (report.getPrivacy() != null) {
            epsilonSpent = report.getPrivacy().getEpsilon();
        }
        if (!PUBLISHED.equals(report.getStatus())) {
            return;
        }
        int n = report.getAccepted().size();
        accepted.inc(n);
        lastParticipants = n;
        lastParticipationRate = report.getParticipationRate() < 0 ? Double.NaN : report.getParticipationRate();
        long updates = 0;
        long tauSum = 0;
        for (Map.Entry<String, Long> e : report.getStaleness().entrySet()) {
            long tau = Long.parseLong(e.getKey());
            for (long i = 0; i < e.getValue(); i++) {
                staleness.update(tau);
            }
            updates += e.getValue();
            tauSum += tau * e.getValue();
        }
        lastMeanStaleness = updates == 0 ? Double.NaN : tauSum / (double) updates;
    }

    /** A dead letter went out; {@code update} when the refused record came from the updates topic. */
    void deadLettered(boolean update, RejectionReason reason) {
        deadLetters.inc();
        if (update) {
            rejected.get(reason).inc();
        }
    }
}
