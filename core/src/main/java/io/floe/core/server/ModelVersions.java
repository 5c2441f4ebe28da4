package io.floe.core.server;

import io.floe.core.aggregate.AggregationRules;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.ScaffoldServer;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.Provenance;
import java.time.Instant;
import java.util.List;

/**
 * The {@link GlobalModel} records a model's life publishes: version 0 from its spec, and each
 * next version with its weights, the client training config it carries and its provenance (the
 * rule and the sorted updateIds that made it, so an auditor can replay it from the log).
 */
public final class ModelVersions {
    private ModelVersions() {
    }

    /**
     * Version 0 of a model created by {@code spec} with the already validated weights; a scaffold
     * model's carries c = 0 (Karimireddy et al., ICML 2020, Algorithm 1 starts every control
     * variate at zero).
     */
    public static GlobalModel versionZero(ModelSpec spec, ModelWeights initialWeights, Instant now) {
        return versionZeroBuilder(spec, now)
                .setTensors(TensorRecords.toRecords(initialWeights))
                .setControl(isScaffold(spec) ? TensorRecords.toRecords(ScaffoldServer.initialControl(initialWeights)) : List.of())
                .build();
    }

    /** Version 0 of {@code spec}'s model without its tensors and control variate: ids, architecture, training config, provenance. */
    static GlobalModel.Builder versionZeroBuilder(ModelSpec spec, Instant now) {
        return GlobalModel.newBuilder()
                .setModelId(spec.getModelId())
                .setVersion(0)
                .setCreatedAt(now)
                .setArchitecture(spec.getArchitecture())
                .setTraining(trainingFor(spec))
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(AggregationRules.byName(spec.getAggregation().getRule()).name())
                        .setParentVersion(-1)
                        .setUpdateIds(List.of())
                        .setSeed(spec.getInitSeed())
                        .build());
    }

    /**
     * The client training config a version carries: the spec's, with {@code algorithm} set to the
     * aggregation's drift algorithm in canonical form (FedNova's rho resolved), so trainers learn
     * from the model which local correction to apply.
     */
    public static ClientTrainingConfig trainingFor(ModelSpec spec) {
        DriftAlgorithm algorithm = AggregationSettings.algorithmOf(spec.getAggregation(), spec.getTraining());
        return ClientTrainingConfig.newBuilder(spec.getTraining()).setAlgorithm(algorithm.toSpec()).build();
    }

    private static boolean isScaffold(ModelSpec spec) {
        return AggregationSettings.algorithmOf(spec.getAggregation(), spec.getTraining()).kind() == DriftAlgorithm.Kind.SCAFFOLD;
    }

    /** Version {@code current + 1} with the given weights, made by {@code rule} from {@code updateIds} (sorted); no control. */
    public static GlobalModel nextVersion(GlobalModel current, ModelSpec spec, ModelWeights next, String rule,
            List<String> updateIds, Instant now) {
        return nextVersion(current, spec, next, rule, updateIds, now, null);
    }

    /** As above, carrying SCAFFOLD's server control variate {@code control} (null: none). */
    public static GlobalModel nextVersion(GlobalModel current, ModelSpec spec, ModelWeights next, String rule,
            List<String> updateIds, Instant now, ModelWeights control) {
        return GlobalModel.newBuilder()
                .setModelId(current.getModelId())
                .setVersion(current.getVersion() + 1)
                .setCreatedAt(now)
                .setArchitecture(current.getArchitecture())
                .setTensors(TensorRecords.toRecords(next))
                .setTraining(trainingFor(spec))
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(rule)
                        .setParentVersion(current.getVersion())
                        .setUpdateIds(updateIds)
                        .setSeed(spec.getInitSeed())
                        .build())
                .setControl(control == null ? List.of() : TensorRecords.toRecords(control))
                .build();
    }
}
