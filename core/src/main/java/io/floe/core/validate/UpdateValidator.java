package io.floe.core.validate;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.round.SyncRound;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ModelUpdate;
import java.util.Optional;

/**
 * Decides whether a decoded {@link ModelUpdate} may join the open round of its model.
 *
 * <p>Checks, cheapest first: ids present, {@code numExamples > 0}, the round admits the client
 * (sync: base version equals the open version, one update per client per round; async: the
 * staleness bound), every tensor decodes,
 * tensor names and shapes equal the global model's, all values finite. The first failing check
 * gives the rejection; a passing update comes back decoded, so it is decoded once.
 */
public final class UpdateValidator {
    private UpdateValidator() {
    }

    /** Whether a client's update trained from a base version may join: empty, or the reason it may not. */
    @FunctionalInterface
    public interface Admission {
        Optional<Rejection> check(String clientId, long baseVersion);
    }

    /** Validates an update for a synchronous round. */
    public static ValidationResult validate(ModelUpdate update, ModelWeights globalModel, SyncRound round) {
        return validate(update, globalModel, round::admissionCheck);
    }

    /** Validates an update; {@code admission} decides on its base version and client (sync round or async staleness). */
    public static ValidationResult validate(ModelUpdate update, ModelWeights globalModel, Admission admission) {
        if (isBlank(update.getUpdateId()) || isBlank(update.getClientId()) || isBlank(update.getModelId())) {
            return ValidationResult.rejected(RejectionReason.MISSING_ID, "updateId, clientId and modelId must be non-empty");
        }
        if (update.getNumExamples() <= 0) {
            return ValidationResult.rejected(RejectionReason.NON_POSITIVE_EXAMPLES,
                    "numExamples must be positive, was " + update.getNumExamples());
        }
        Optional<Rejection> admitted = admission.check(update.getClientId(), update.getBaseVersion());
        if (admitted.isPresent()) {
            return new ValidationResult.Rejected(admitted.get());
        }
        ModelWeights delta;
        try {
            delta = TensorRecords.fromRecords(update.getTensors());
        } catch (MalformedRecordException e) {
            return ValidationResult.rejected(RejectionReason.MALFORMED_TENSOR, e.getMessage());
        }
        if (!delta.sameLayout(globalModel)) {
            return ValidationResult.rejected(RejectionReason.LAYOUT_MISMATCH,
                    "update tensors " + delta.describe() + " do not match the model's " + globalModel.describe());
        }
        for (Tensor t : delta.tensors()) {
            if (!t.allFinite()) {
                return ValidationResult.rejected(RejectionReason.NON_FINITE_VALUES,
                        "tensor '" + t.name() + "' holds NaN or infinite values");
            }
        }
        return new ValidationResult.Accepted(new ClientUpdate(update.getUpdateId(), update.getClientId(),
                update.getBaseVersion(), update.getNumExamples(), update.getLocalSteps(), delta, update.getMetrics()));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
