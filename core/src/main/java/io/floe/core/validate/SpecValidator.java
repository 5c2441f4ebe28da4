package io.floe.core.validate;

import io.floe.core.aggregate.AggregationRules;
import io.floe.core.round.AggregationSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;

/**
 * Checks a {@link ModelSpec} before the job creates or reconfigures a model: non-empty id and
 * architecture, a known rule, a round size of at least one, a sane client training config, and
 * finite, decodable initial weights.
 */
public final class SpecValidator {
    private SpecValidator() {
    }

    /** Either the decoded initial weights or the reason the spec is refused. */
    public sealed interface Result {
        record Valid(ModelWeights initialWeights) implements Result {
        }

        record Invalid(Rejection rejection) implements Result {
        }
    }

    public static Result validate(ModelSpec spec) {
        if (spec.getModelId() == null || spec.getModelId().isBlank()) {
            return invalid("modelId must be non-empty");
        }
        if (spec.getArchitecture() == null || spec.getArchitecture().isBlank()) {
            return invalid("architecture must be non-empty");
        }
        String rule = spec.getAggregation().getRule();
        if (!AggregationRules.isKnown(rule)) {
            return invalid("unknown aggregation rule '" + rule + "'; known rules: " + AggregationRules.names());
        }
        int k = spec.getAggregation().getClientsPerRound();
        if (k < 1) {
            return invalid("clientsPerRound must be at least 1, was " + k);
        }
        long deadline = spec.getAggregation().getRoundDeadlineMs();
        if (deadline < 0) {
            return invalid("roundDeadlineMs must be >= 0 (0 = no deadline), was " + deadline);
        }
        int minFit = spec.getAggregation().getMinFitClients();
        if (minFit < 1 || minFit > k) {
            return invalid("minFitClients must be between 1 and clientsPerRound " + k + ", was " + minFit);
        }
        try {
            AggregationSettings.from(spec.getAggregation());
        } catch (IllegalArgumentException e) {
            return invalid("aggregation config: " + e.getMessage());
        }
        int f = spec.getAggregation().getByzantineClients();
        boolean buffered = "fedbuff".equalsIgnoreCase(spec.getAggregation().getMode().trim());
        int aggregated = buffered ? spec.getAggregation().getBufferSize() : k;
        if (rule.toLowerCase(java.util.Locale.ROOT).contains("krum") && aggregated <= 2 * f + 2) {
            return invalid("Krum needs " + (buffered ? "bufferSize" : "clientsPerRound") + " > 2f + 2 (Blanchard et al. 2017); got "
                    + aggregated + " updates with f = " + f);
        }
        ClientTrainingConfig t = spec.getTraining();
        if (!(t.getLearningRate() > 0) || !Float.isFinite(t.getLearningRate())) {
            return invalid("learningRate must be a positive finite number, was " + t.getLearningRate());
        }
        if (t.getLocalEpochs() < 1 || t.getBatchSize() < 1) {
            return invalid("localEpochs and batchSize must be at least 1");
        }
        if (spec.getInitialTensors().isEmpty()) {
            return invalid("initialTensors must hold the weights of version 0");
        }
        ModelWeights weights;
        try {
            weights = TensorRecords.fromRecords(spec.getInitialTensors());
        } catch (MalformedRecordException e) {
            return invalid(e.getMessage());
        }
        for (Tensor tensor : weights.tensors()) {
            if (!tensor.allFinite()) {
                return invalid("initial tensor '" + tensor.name() + "' holds NaN or infinite values");
            }
        }
        return new Result.Valid(weights);
    }

    private static Result invalid(String detail) {
        return new Result.Invalid(Rejection.of(RejectionReason.INVALID_SPEC, detail));
    }
}
