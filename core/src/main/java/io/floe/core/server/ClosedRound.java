package io.floe.core.server;

import io.floe.core.drift.OptimizerState;
import io.floe.core.privacy.PrivacyLedger;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;

/**
 * What a server step publishes, and how each update fared (for dead letters and quarantine).
 *
 * @param model the next version, or null when central DP's budget stopped the round
 * @param report its report (built by {@link ReportBuilder})
 * @param outcome each update's fate; null for a FedAsync step and a round stopped by the budget
 * @param ledger central DP's ledger after the round (exhausted when the budget stopped it); null without DP
 * @param optimizerState the server optimizer's state to keep for the next round (the state passed
 *     in, or the optimizer's initial one, when the round did not step); null from the four-argument
 *     constructor and from a FedAsync step (which takes no server step)
 */
public record ClosedRound(GlobalModel model, AggregationReport report, RoundAggregation.Outcome outcome,
        PrivacyLedger ledger, OptimizerState optimizerState) {

    public ClosedRound(GlobalModel model, AggregationReport report, RoundAggregation.Outcome outcome, PrivacyLedger ledger) {
        this(model, report, outcome, ledger, null);
    }

    /** False when central DP's budget stopped the round: nothing is published but the report. */
    public boolean published() {
        return model != null;
    }
}
