package io.floe.core.server;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.async.FedAsyncMixing;
import io.floe.core.tensor.ModelWeights;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import java.util.List;

/**
 * FedAsync's server step for one accepted update (Xie, Koyejo and Gupta 2019, {@link FedAsyncMixing}):
 * version {@code t = current + 1} is {@code (1 - alpha_t) x_current + alpha_t (x_base + Delta)} with
 * {@code alpha_t = alpha * s(tau)}, and its report names the update, its weight {@code alpha_t}
 * and its staleness. No rule, anomaly scoring or server optimizer: there is nothing to compare one
 * update with ({@link io.floe.core.settings.AggregationSettings} refuses such combinations).
 */
public final class FedAsyncStep implements AggregationStep {
    private final ModelWeights baseWeights;

    /** @param baseWeights the weights of the version the update was trained from */
    public FedAsyncStep(ModelWeights baseWeights) {
        this.baseWeights = baseWeights;
    }

    /**
     * Mixes {@code input}'s one update into the current version; {@code input.rejected()} are the
     * updates rejected since the previous version, for the report.
     *
     * @return the next version and its report; no outcome, ledger or optimizer state
     * @throws IllegalArgumentException when the input does not hold exactly one update
     */
    @Override
    public ClosedRound close(RoundInput input) {
        if (input.updates().size() != 1) {
            throw new IllegalArgumentException("fedasync mixes one update at a time, got " + input.updates().size());
        }
        ClientUpdate update = input.updates().get(0);
        GlobalModel current = input.current();
        long tau = current.getVersion() - update.baseVersion();
        double alphaT = input.settings().async().mixingWeight(tau);
        ModelWeights next = FedAsyncMixing.mix(input.currentWeights(), baseWeights, update.delta(), alphaT);
        GlobalModel model = ModelVersions.nextVersion(current, input.spec(), next, "fedasync", List.of(update.updateId()),
                input.now());
        AggregationReport report = ReportBuilder.fedAsyncStep(input, update, tau, alphaT);
        return new ClosedRound(model, report, null, null);
    }
}
