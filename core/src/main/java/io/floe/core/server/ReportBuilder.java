package io.floe.core.server;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.WeightedMetrics;
import io.floe.core.anomaly.Decision;
import io.floe.core.async.AsyncMode;
import io.floe.core.validate.RejectionReason;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.PrivacyLedgerEntry;
import io.floe.schema.RejectedUpdate;
import io.floe.schema.UpdateScore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place an {@link AggregationReport} is built. Every report is about the step from
 * {@code current} to {@code current + 1} and starts from {@link #after}; the named reports are
 * those of a closed round or FedBuff buffer ({@link #roundClosed}), a round stopped by central
 * DP's budget ({@link #budgetExhausted}), a FedAsync mix ({@link #fedAsyncStep}) and a deadline
 * extension ({@link #extended}); version 0 has its own, {@link #created}.
 */
public final class ReportBuilder {
    /** A round whose deadline passed below minFitClients: the deadline was extended, nothing published. */
    public static final String STATUS_EXTENDED = "EXTENDED";
    /** Central DP's budget stopped the model: nothing published, now or later. */
    public static final String STATUS_BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED";
    /** A spec created the model: this report's version 0 was published. */
    public static final String STATUS_CREATED = "CREATED";

    private final AggregationReport.Builder report;

    private ReportBuilder(AggregationReport.Builder report) {
        this.report = report;
    }

    /**
     * A report on version {@code current + 1}, built on {@code current}, by {@code rule}, with
     * nothing accepted, rejected, scored or quarantined, an empty note and no privacy entry; the
     * other fields keep the schema's defaults until set.
     */
    public static ReportBuilder after(GlobalModel current, Instant now, String rule) {
        return new ReportBuilder(AggregationReport.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(current.getVersion() + 1)
                .setBaseVersion(current.getVersion())
                .setCreatedAt(now)
                .setRule(rule)
                .setAccepted(List.of())
                .setRejected(List.of())
                .setClientMetrics(Map.of())
                .setScores(List.of())
                .setQuarantined(List.of())
                .setNote("")
                .setPrivacy(null));
    }

    public ReportBuilder accepted(List<AcceptedUpdate> accepted) {
        report.setAccepted(accepted);
        return this;
    }

    public ReportBuilder rejected(List<RejectedUpdate> rejected) {
        report.setRejected(rejected);
        return this;
    }

    public ReportBuilder clientMetrics(Map<String, Double> metrics) {
        report.setClientMetrics(metrics);
        return this;
    }

    public ReportBuilder scores(List<UpdateScore> scores) {
        report.setScores(scores);
        return this;
    }

    public ReportBuilder note(String note) {
        report.setNote(note);
        return this;
    }

    public ReportBuilder privacy(PrivacyLedgerEntry privacy) {
        report.setPrivacy(privacy);
        return this;
    }

    public ReportBuilder status(String status) {
        report.setStatus(status);
        return this;
    }

    /** The mode, the staleness histogram of the aggregated updates and the count of late rejections. */
    public ReportBuilder timeliness(AsyncMode mode, List<ClientUpdate> aggregated, List<RejectedUpdate> rejected) {
        long currentVersion = report.getBaseVersion();
        report.setMode(mode.configName())
                .setStaleness(stalenessHistogram(currentVersion, aggregated))
                .setLateUpdates(lateUpdates(rejected));
        return this;
    }

    public AggregationReport build() {
        return report.build();
    }

    /**
     * The report of a closed round or FedBuff buffer: the aggregated updates with their weights,
     * the validation rejections followed by the anomaly rejections, the aggregated updates'
     * example-weighted metrics and, with {@code withScores}, each update's anomaly scores.
     *
     * @param aggregated the updates the rule aggregated (anomaly rejections excluded), in updateId order
     */
    public static AggregationReport roundClosed(RoundInput input, RoundAggregation.Outcome outcome, List<ClientUpdate> aggregated,
            boolean withScores) {
        Map<String, RoundAggregation.UpdateOutcome> byId = RoundAggregation.byUpdateId(outcome);
        List<AcceptedUpdate> acceptedRecords = new ArrayList<>();
        for (ClientUpdate u : aggregated) {
            acceptedRecords.add(AcceptedUpdate.newBuilder()
                    .setUpdateId(u.updateId())
                    .setClientId(u.clientId())
                    .setNumExamples(u.numExamples())
                    .setWeight(byId.get(u.updateId()).weight())
                    .build());
        }
        List<RejectedUpdate> allRejected = new ArrayList<>(input.rejected());
        List<UpdateScore> scores = new ArrayList<>();
        for (RoundAggregation.UpdateOutcome o : outcome.outcomes()) {
            if (o.decision() == Decision.REJECT) {
                allRejected.add(RejectedUpdate.newBuilder()
                        .setUpdateId(o.scores().updateId())
                        .setClientId(o.scores().clientId())
                        .setReason(RejectionReason.ANOMALOUS_UPDATE.name())
                        .setDetail(o.reason())
                        .build());
            }
            if (withScores) {
                scores.add(UpdateScore.newBuilder()
                        .setUpdateId(o.scores().updateId())
                        .setClientId(o.scores().clientId())
                        .setL2Norm(o.scores().l2Norm())
                        .setNormZ(o.scores().normZ())
                        .setCosineToMedian(o.scores().cosineToMedian())
                        .setKrumScore(o.scores().krumScore())
                        .setDecision(o.decision().name())
                        .setReason(o.reason())
                        .setClipFactor(o.clipFactor())
                        .build());
            }
        }
        return after(input.current(), input.now(), outcome.ruleApplied())
                .accepted(acceptedRecords)
                .rejected(allRejected)
                .clientMetrics(WeightedMetrics.average(aggregated))
                .scores(scores)
                .note(outcome.note())
                .timeliness(input.settings().async().mode(), aggregated, input.rejected())
                .build();
    }

    /** The report of a round central DP's budget stopped: the validation rejections, the note and the ledger entry. */
    public static AggregationReport budgetExhausted(RoundInput input, String note, PrivacyLedgerEntry privacy) {
        return after(input.current(), input.now(), "dp-fedavg")
                .rejected(List.copyOf(input.rejected()))
                .note(note)
                .privacy(privacy)
                .build();
    }

    /** The report of a FedAsync mix: the one update with its weight {@code alpha_t}, and its staleness. */
    public static AggregationReport fedAsyncStep(RoundInput input, ClientUpdate update, long tau, double alphaT) {
        return after(input.current(), input.now(), "fedasync")
                .accepted(List.of(AcceptedUpdate.newBuilder()
                        .setUpdateId(update.updateId())
                        .setClientId(update.clientId())
                        .setNumExamples(update.numExamples())
                        .setWeight(alphaT)
                        .build()))
                .rejected(List.copyOf(input.rejected()))
                .clientMetrics(WeightedMetrics.average(List.of(update)))
                .note(String.format(Locale.ROOT, "mixed update trained from version %d (tau = %d) with alpha_t = %.4f",
                        update.baseVersion(), tau, alphaT))
                .timeliness(AsyncMode.FEDASYNC, List.of(update), input.rejected())
                .build();
    }

    /**
     * The report of a deadline extension ({@link io.floe.core.round.RoundDeadline}): nothing
     * accepted or published, the rule as the spec names it, {@code note} saying why, status
     * {@link #STATUS_EXTENDED}. The caller adds the selection's figures.
     */
    public static AggregationReport extended(GlobalModel current, ModelSpec spec, String note, Instant now) {
        return after(current, now, spec.getAggregation().getRule())
                .note(note)
                .status(STATUS_EXTENDED)
                .build();
    }

    /**
     * The report of version 0, published with it when a spec creates the model, so every published
     * version has a report: nothing accepted or rejected, base version -1 (as the model's
     * provenance says: no parent), status {@link #STATUS_CREATED}, the spec's mode, and
     * {@code note} saying what the model was created from.
     */
    public static AggregationReport created(GlobalModel versionZero, AsyncMode mode, String note) {
        return new ReportBuilder(AggregationReport.newBuilder()
                .setModelId(versionZero.getModelId())
                .setVersion(versionZero.getVersion())
                .setBaseVersion(versionZero.getProvenance().getParentVersion())
                .setCreatedAt(versionZero.getCreatedAt())
                .setRule(versionZero.getProvenance().getRule())
                .setAccepted(List.of())
                .setRejected(List.of())
                .setClientMetrics(Map.of())
                .setScores(List.of())
                .setQuarantined(List.of())
                .setNote(note)
                .setPrivacy(null)
                .setMode(mode.configName()))
                .status(STATUS_CREATED)
                .build();
    }

    /** tau = currentVersion - baseVersion of each update, counted: {@code {"0": 8, "2": 1}}, keys in numeric order. */
    public static Map<String, Long> stalenessHistogram(long currentVersion, List<ClientUpdate> updates) {
        TreeMap<Long, Long> counts = new TreeMap<>();
        for (ClientUpdate u : updates) {
            counts.merge(currentVersion - u.baseVersion(), 1L, Long::sum);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((tau, n) -> out.put(Long.toString(tau), n));
        return out;
    }

    /** Rejections for coming too late: LATE_UPDATE (sync) and STALE_UPDATE (async). */
    public static int lateUpdates(List<RejectedUpdate> rejected) {
        int n = 0;
        for (RejectedUpdate r : rejected) {
            if (RejectionReason.LATE_UPDATE.name().equals(r.getReason()) || RejectionReason.STALE_UPDATE.name().equals(r.getReason())) {
                n++;
            }
        }
        return n;
    }
}
