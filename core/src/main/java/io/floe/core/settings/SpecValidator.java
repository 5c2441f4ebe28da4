package io.floe.core.settings;

import io.floe.core.spec.Architecture;
import java.util.List;

import io.floe.core.aggregate.AggregationRules;
import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.FedNova;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;

/**
 * Checks a {@link ModelSpec} before the job creates or reconfigures a model: non-empty id and
 * architecture, a known rule, a round size of at least one, aggregation settings that
 * {@link AggregationSettings#from} accepts (drift algorithm, server optimizer and their
 * combinations included), a sane client training config whose algorithm, if given, agrees with the
 * aggregation's, and finite, decodable initial weights.
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
        double fractionFit = spec.getAggregation().getFractionFit();
        if (!(fractionFit >= 0 && fractionFit <= 1)) {
            return invalid("fractionFit must be in [0, 1] (1 = every available client), was " + fractionFit);
        }
        if (spec.getAggregation().getMinAvailableClients() < 0) {
            return invalid("minAvailableClients must be >= 0 (0 = no minimum), was " + spec.getAggregation().getMinAvailableClients());
        }
        if (spec.getAggregation().getClientTimeoutMs() <= 0) {
            return invalid("clientTimeoutMs must be > 0, was " + spec.getAggregation().getClientTimeoutMs());
        }
        float momentum = spec.getTraining().getMomentum();
        if (!(momentum >= 0 && momentum < 1)) {
            return invalid("training momentum must be in [0, 1) (0 = plain local SGD), was " + momentum);
        }
        AggregationSettings settings;
        try {
            settings = AggregationSettings.from(spec.getAggregation(), spec.getTraining());
        } catch (IllegalArgumentException e) {
            return invalid("aggregation config: " + e.getMessage());
        }
        // training.algorithm is filled in by the job from aggregation.algorithm; a spec may leave it
        // at its default or repeat the same algorithm, but not name a different one
        String trainingAlgorithm = spec.getTraining().getAlgorithm();
        if (!DriftAlgorithm.fedAvg().toSpec().equals(trainingAlgorithm == null ? "" : trainingAlgorithm.trim())) {
            DriftAlgorithm stated;
            try {
                stated = DriftAlgorithm.parse(trainingAlgorithm, settings.drift().algorithm().localMomentum());
            } catch (IllegalArgumentException e) {
                return invalid("training algorithm: " + e.getMessage());
            }
            if (!stated.equals(settings.drift().algorithm())) {
                return invalid("training algorithm '" + trainingAlgorithm + "' differs from aggregation algorithm '"
                        + spec.getAggregation().getAlgorithm() + "'; set aggregation.algorithm only: the job copies it into "
                        + "every GlobalModel's training config");
            }
        }
        int f = spec.getAggregation().getByzantineClients();
        boolean buffered = "fedbuff".equalsIgnoreCase(spec.getAggregation().getMode().trim());
        int aggregated = buffered ? spec.getAggregation().getBufferSize() : k;
        if (rule.toLowerCase(java.util.Locale.ROOT).contains("krum") && aggregated <= 2 * f + 2) {
            return invalid("Krum needs " + (buffered ? "bufferSize" : "clientsPerRound") + " > 2f + 2 (Blanchard et al. 2017); got "
                    + aggregated + " updates with f = " + f);
        }
        if (rule.equalsIgnoreCase(io.floe.core.aggregate.Bulyan.NAME) && aggregated < 4 * f + 3) {
            return invalid("Bulyan needs " + (buffered ? "bufferSize" : "clientsPerRound") + " >= 4f + 3 (El Mhamdi et al. 2018); "
                    + "got " + aggregated + " updates with f = " + f);
        }
        ClientTrainingConfig t = spec.getTraining();
        if (!(t.getLearningRate() > 0) || !Float.isFinite(t.getLearningRate())) {
            return invalid("learningRate must be a positive finite number, was " + t.getLearningRate());
        }
        if (t.getLocalEpochs() < 1 || t.getBatchSize() < 1) {
            return invalid("localEpochs and batchSize must be at least 1");
        }
        try {
            io.floe.core.codec.Compression.parse(t.getCompression());
        } catch (IllegalArgumentException e) {
            return invalid("training compression: " + e.getMessage());
        }
        if (spec.getInitialTensors().isEmpty()) {
            return invalid("initialTensors must hold the weights of version 0");
        }
        Integer chunkBytes = spec.getAggregation().getChunkBytes();
        if (chunkBytes != null) {
            String problem = chunkedProblem(spec, settings, chunkBytes);
            if (problem != null) {
                return invalid(problem);
            }
            if (spec.getInitialTensors().stream().allMatch(r -> !r.getData().hasRemaining())) {
                String layout = architectureProblem(spec);
                return layout != null ? invalid(layout) : new Result.Valid(null); // version 0 is zeros: nothing to decode or hold
            }
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
        String layout = architectureProblem(spec);
        return layout != null ? invalid(layout) : new Result.Valid(weights);
    }

    /**
     * What a chunked model (aggregation.chunkBytes set) cannot have yet, or null: the sharded path
     * folds the averaging family's weighted sum (fedavg; FedProx, whose server step is FedAvg's;
     * FedNova, whose normalised deltas fold the same way), or runs median or trimmed mean per chunk, or
     * Krum, Multi-Krum and Bulyan (the coordinator selects from the chunks' partial distances), in
     * sync rounds, with any server optimizer (FedAvgM, FedAdagrad, FedAdam, FedYogi step per chunk
     * with its moments). Scores that change weights, clipping, caps, async modes and SCAFFOLD are
     * not on the chunked path; central DP is DP-FedAvg per chunk
     * (rule fedavg, not with FedNova). Every compression travels in chunks: fp16, int8 (an offset and
     * scale per chunk) and top-k (a top-k chunk folds in O(k)).
     */
    static String chunkedProblem(ModelSpec spec, AggregationSettings settings, int chunkBytes) {
        long parameters = 0;
        for (io.floe.schema.Tensor t : spec.getInitialTensors()) {
            long n = 1;
            for (Integer d : t.getShape()) {
                n *= d;
            }
            parameters += n;
        }
        String layout = io.floe.core.chunk.ChunkLayout.problem(parameters, chunkBytes);
        if (layout != null) {
            return "aggregation.chunkBytes: " + layout;
        }
        String notYet = null;
        if (settings.async().isAsync()) {
            notYet = "mode " + settings.async().mode().configName();
        } else if (!settings.robustness().federatedAveraging() && !(settings.robustness().rule() instanceof FedNova)
                && !io.floe.core.chunk.CoordinateWiseChunk.handles(settings.robustness().rule().name())
                && !io.floe.core.aggregate.KrumSelection.handles(settings.robustness().rule())) {
            notYet = "rule " + spec.getAggregation().getRule();
        } else if (settings.drift().algorithm().kind() == DriftAlgorithm.Kind.SCAFFOLD) {
            notYet = "algorithm " + settings.drift().algorithm().toSpec();
        } else if (settings.robustness().anomalyPolicy().mode() != io.floe.core.anomaly.Decision.FLAG) {
            notYet = "anomalyPolicy " + spec.getAggregation().getAnomalyPolicy();
        } else if (settings.robustness().clipping().isPresent() || settings.robustness().exampleCap().isPresent()) {
            notYet = "norm clipping or an example cap";
        }
        return notYet == null ? null : "chunked models (aggregation.chunkBytes) aggregate sync fedavg, median, trimmed-mean, krum,"
                + " multi-krum or bulyan rounds"
                + " so far; " + notYet
                + " is not on the chunked path yet: leave chunkBytes unset to use it";
    }

    private static Result invalid(String detail) {
        return new Result.Invalid(Rejection.of(RejectionReason.INVALID_SPEC, detail));
    }

    /**
     * A safe default: a spec whose architecture floe knows ({@link Architecture}: logreg, mlp, cnn)
     * must carry exactly that architecture's tensors (names, order, shapes), or trainers would build
     * one model and the job average another. A descriptor floe does not know stays opaque (a
     * trainer of its own reads it). Null when the layout matches or the descriptor is opaque.
     */
    static String architectureProblem(ModelSpec spec) {
        Architecture arch;
        try {
            arch = Architecture.parse(spec.getArchitecture());
        } catch (IllegalArgumentException e) {
            return null;
        }
        List<io.floe.core.tensor.Tensor> expected = arch.zeroWeights().tensors();
        List<io.floe.schema.Tensor> given = spec.getInitialTensors();
        if (expected.size() != given.size()) {
            return "architecture " + arch + " has " + expected.size() + " tensors, the spec's initialTensors " + given.size();
        }
        for (int i = 0; i < expected.size(); i++) {
            io.floe.core.tensor.Tensor e = expected.get(i);
            io.floe.schema.Tensor g = given.get(i);
            List<Integer> shape = java.util.Arrays.stream(e.shape()).boxed().toList();
            if (!e.name().equals(g.getName()) || !shape.equals(g.getShape())) {
                return "architecture " + arch + " expects tensor " + i + " to be " + e.name() + " " + shape + ", the spec has "
                        + g.getName() + " " + g.getShape();
            }
        }
        return null;
    }
}
