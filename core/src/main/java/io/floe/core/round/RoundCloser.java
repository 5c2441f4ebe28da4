package io.floe.core.round;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.WeightedMetrics;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.Provenance;
import io.floe.schema.RejectedUpdate;
import io.floe.schema.UpdateScore;
import io.floe.core.anomaly.Decision;
import io.floe.core.validate.RejectionReason;
import java.util.Map;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a complete round into what the job publishes: global version {@code v+1}
 * ({@code w_{v+1} = w_v + Δ}, Δ from the model's rule) and its {@link AggregationReport}.
 *
 * <p>Plain Java so that the job and any auditor replaying the log compute the same bytes: updates
 * are sorted by updateId before the rule sees them, and provenance lists their ids.
 */
public final class RoundCloser {
    private RoundCloser() {
    }

    /** What closing a round publishes, and how each update fared (for dead letters and quarantine). */
    public record ClosedRound(GlobalModel model, AggregationReport report, RoundAggregation.Outcome outcome) {
    }

    /** Version 0 of a model created by {@code spec} with the already validated weights. */
    public static GlobalModel versionZero(ModelSpec spec, ModelWeights initialWeights, Instant now) {
        return GlobalModel.newBuilder()
                .setModelId(spec.getModelId())
                .setVersion(0)
                .setCreatedAt(now)
                .setArchitecture(spec.getArchitecture())
                .setTensors(TensorRecords.toRecords(initialWeights))
                .setTraining(spec.getTraining())
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(io.floe.core.aggregate.AggregationRules.byName(spec.getAggregation().getRule()).name())
                        .setParentVersion(-1)
                        .setUpdateIds(List.of())
                        .setSeed(spec.getInitSeed())
                        .build())
                .build();
    }

    /**
     * @param current the open version's global model
     * @param currentWeights its decoded tensors
     * @param spec the model's current configuration (training config for the next round)
     * @param settings the model's aggregation settings (rule, cap, clipping, anomaly policy)
     * @param accepted the round's validated updates (any order)
     * @param rejected updates rejected by validation while the round was open, for the report
     */
    public static ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationSettings settings, List<ClientUpdate> accepted, List<RejectedUpdate> rejected, Instant now) {
        List<ClientUpdate> sorted = new ArrayList<>(accepted);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        RoundAggregation.Outcome outcome = RoundAggregation.run(sorted, currentWeights, settings);
        ModelWeights next = currentWeights.plusScaled(outcome.delta(), 1.0f);
        long version = current.getVersion() + 1;
        Map<String, RoundAggregation.UpdateOutcome> byId = RoundAggregation.byUpdateId(outcome);

        List<ClientUpdate> aggregated = sorted.stream()
                .filter(u -> byId.get(u.updateId()).decision() != Decision.REJECT).toList();
        GlobalModel model = GlobalModel.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(version)
                .setCreatedAt(now)
                .setArchitecture(current.getArchitecture())
                .setTensors(TensorRecords.toRecords(next))
                .setTraining(spec.getTraining())
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(outcome.ruleApplied())
                        .setParentVersion(current.getVersion())
                        .setUpdateIds(aggregated.stream().map(ClientUpdate::updateId).toList())
                        .setSeed(spec.getInitSeed())
                        .build())
                .build();

        List<AcceptedUpdate> acceptedRecords = new ArrayList<>();
        for (ClientUpdate u : aggregated) {
            acceptedRecords.add(AcceptedUpdate.newBuilder()
                    .setUpdateId(u.updateId())
                    .setClientId(u.clientId())
                    .setNumExamples(u.numExamples())
                    .setWeight(byId.get(u.updateId()).weight())
                    .build());
        }
        List<RejectedUpdate> allRejected = new ArrayList<>(rejected);
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
        AggregationReport report = AggregationReport.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(version)
                .setBaseVersion(current.getVersion())
                .setCreatedAt(now)
                .setRule(outcome.ruleApplied())
                .setAccepted(acceptedRecords)
                .setRejected(allRejected)
                .setClientMetrics(WeightedMetrics.average(aggregated))
                .setScores(scores)
                .setQuarantined(List.of())
                .setNote(outcome.note())
                .build();
        return new ClosedRound(model, report, outcome);
    }
}
