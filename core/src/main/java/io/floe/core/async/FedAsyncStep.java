package io.floe.core.async;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.WeightedMetrics;
import io.floe.core.round.AggregationSettings;
import io.floe.core.round.RoundCloser;
import io.floe.core.tensor.ModelWeights;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * FedAsync's server step for one accepted update ({@link FedAsyncMixing}): version
 * {@code t = current + 1} is {@code (1 - alpha_t) x_current + alpha_t (x_base + Delta)} with
 * {@code alpha_t = alpha * s(tau)}, and its report names the update, its weight {@code alpha_t}
 * and its staleness.
 */
public final class FedAsyncStep {
    private FedAsyncStep() {
    }

    /** What one step publishes. */
    public record Step(GlobalModel model, AggregationReport report) {
    }

    /**
     * @param baseWeights the weights of the version the update was trained from
     * @param rejected updates rejected since the previous version, for the report
     */
    public static Step apply(GlobalModel current, ModelWeights currentWeights, ModelWeights baseWeights, ModelSpec spec,
            AggregationSettings settings, ClientUpdate update, List<RejectedUpdate> rejected, Instant now) {
        long tau = current.getVersion() - update.baseVersion();
        double alphaT = settings.async().mixingWeight(tau);
        ModelWeights next = FedAsyncMixing.mix(currentWeights, baseWeights, update.delta(), alphaT);
        GlobalModel model = RoundCloser.nextVersion(current, spec, next, "fedasync", List.of(update.updateId()), now);
        AggregationReport report = AggregationReport.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(model.getVersion())
                .setBaseVersion(current.getVersion())
                .setCreatedAt(now)
                .setRule("fedasync")
                .setAccepted(List.of(AcceptedUpdate.newBuilder()
                        .setUpdateId(update.updateId())
                        .setClientId(update.clientId())
                        .setNumExamples(update.numExamples())
                        .setWeight(alphaT)
                        .build()))
                .setRejected(List.copyOf(rejected))
                .setClientMetrics(WeightedMetrics.average(List.of(update)))
                .setScores(List.of())
                .setQuarantined(List.of())
                .setNote(String.format(Locale.ROOT, "mixed update trained from version %d (tau = %d) with alpha_t = %.4f",
                        update.baseVersion(), tau, alphaT))
                .setPrivacy(null)
                .setMode(AsyncMode.FEDASYNC.configName())
                .setStaleness(RoundCloser.stalenessHistogram(current.getVersion(), List.of(update)))
                .setLateUpdates(RoundCloser.lateUpdates(rejected))
                .build();
        return new Step(model, report);
    }
}
