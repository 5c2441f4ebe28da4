package io.floe.flink.aggregate.mode;

import io.floe.core.anomaly.Decision;
import io.floe.core.server.RoundAggregation;
import io.floe.core.server.ClosedRound;
import io.floe.core.server.ReportBuilder;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.AggregationReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a closed sync round or FedBuff step leaves behind, in the order the outputs go out:
 * the privacy ledger, dead letters for anomaly rejections (counted towards quarantine), then the
 * next version and its report. The mode clears its own pending updates and arms what comes next.
 */
final class VersionPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(VersionPublisher.class);

    private final ModelStates states;

    VersionPublisher(ModelStates states) {
        this.states = states;
    }

    /** Central DP's budget stopped the round: the ledger says so and only the report goes out. */
    void stopped(ClosedRound closed, ModelContext ctx) throws Exception {
        states.privacy().store(closed.ledger());
        states.rejections().clear();
        closed.report().setStatus(ReportBuilder.STATUS_BUDGET_EXHAUSTED);
        ctx.out().report(closed.report());
        LOG.warn("model {}: {}", ctx.modelId(), closed.report().getNote());
    }

    /**
     * Records the round's consequences before its version goes out: the privacy ledger,
     * anomaly rejections as dead letters with their stored bytes, each aggregated client's standing
     * (newly quarantined ones named in the report) and {@code closeNote} added to the report's note.
     */
    AggregationReport settle(ClosedRound closed, ModelContext ctx, Map<String, byte[]> rawByUpdateId,
            String closeNote) throws Exception {
        if (closed.ledger() != null) {
            states.privacy().store(closed.ledger());
        }
        List<String> newlyQuarantined = new ArrayList<>();
        for (RoundAggregation.UpdateOutcome o : closed.outcome().outcomes()) {
            boolean rejected = o.decision() == Decision.REJECT;
            if (rejected) {
                InboundRecord origin = new InboundRecord(ctx.out().topics().updates(), -1, -1, ctx.now().toEpochMilli(),
                        ctx.modelId().getBytes(StandardCharsets.UTF_8), rawByUpdateId.get(o.scores().updateId()));
                ctx.out().deadLetter(origin, Rejection.of(RejectionReason.ANOMALOUS_UPDATE, o.reason()), ctx.modelId(),
                        o.scores().clientId(), o.scores().updateId());
            }
            if (states.clients().afterRound(o.scores().clientId(), rejected, ctx.settings().robustness().quarantine())) {
                newlyQuarantined.add(o.scores().clientId());
            }
        }
        AggregationReport report = closed.report();
        appendNote(report, closeNote);
        if (!newlyQuarantined.isEmpty()) {
            report.setQuarantined(newlyQuarantined);
            LOG.warn("model {}: quarantined {}", ctx.modelId(), newlyQuarantined);
        }
        return report;
    }

    /** Publishes the next version, keeps the optimizer's state, then the report ({@code what}: "round" or "buffer"). */
    void publish(ClosedRound closed, AggregationReport report, ModelContext ctx, String what) throws Exception {
        states.rejections().clear();
        states.optimizer().store(ctx.settings().drift().serverOptimizer(), closed.optimizerState());
        ctx.publish(closed.model());
        ctx.out().report(report);
        LOG.info("model {}: closed {} on version {} with {} updates ({} rejected), published version {}", ctx.modelId(), what,
                ctx.current().getVersion(), report.getAccepted().size(), report.getRejected().size(), closed.model().getVersion());
    }

    /** Adds {@code note} to the report's note, separated by "; ". */
    static void appendNote(AggregationReport report, String note) {
        if (!note.isEmpty()) {
            report.setNote(report.getNote().isEmpty() ? note : report.getNote() + "; " + note);
        }
    }
}
