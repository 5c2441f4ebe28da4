package io.floe.core.round;

import io.floe.core.aggregate.AggregationResult;
import io.floe.core.aggregate.AggregationRule;
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

    /** What closing a round publishes. */
    public record ClosedRound(GlobalModel model, AggregationReport report) {
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
     * @param spec the model's current configuration (rule, training config for the next round)
     * @param rule the aggregation rule named by the spec
     * @param accepted the round's accepted updates (any order)
     * @param rejected updates rejected while the round was open, for the report
     */
    public static ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationRule rule, List<ClientUpdate> accepted, List<RejectedUpdate> rejected, Instant now) {
        List<ClientUpdate> sorted = new ArrayList<>(accepted);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId));
        AggregationResult result = rule.aggregate(sorted);
        ModelWeights next = currentWeights.plusScaled(result.delta(), 1.0f);
        long version = current.getVersion() + 1;

        List<String> ids = sorted.stream().map(ClientUpdate::updateId).toList();
        GlobalModel model = GlobalModel.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(version)
                .setCreatedAt(now)
                .setArchitecture(current.getArchitecture())
                .setTensors(TensorRecords.toRecords(next))
                .setTraining(spec.getTraining())
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(rule.name())
                        .setParentVersion(current.getVersion())
                        .setUpdateIds(ids)
                        .setSeed(spec.getInitSeed())
                        .build())
                .build();

        List<AcceptedUpdate> acceptedRecords = new ArrayList<>(sorted.size());
        for (ClientUpdate u : sorted) {
            acceptedRecords.add(AcceptedUpdate.newBuilder()
                    .setUpdateId(u.updateId())
                    .setClientId(u.clientId())
                    .setNumExamples(u.numExamples())
                    .setWeight(result.weights().getOrDefault(u.updateId(), 0.0))
                    .build());
        }
        AggregationReport report = AggregationReport.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(version)
                .setBaseVersion(current.getVersion())
                .setCreatedAt(now)
                .setRule(rule.name())
                .setAccepted(acceptedRecords)
                .setRejected(List.copyOf(rejected))
                .setClientMetrics(WeightedMetrics.average(sorted))
                .build();
        return new ClosedRound(model, report);
    }
}
