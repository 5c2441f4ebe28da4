package io.floe.core.validate;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.drift.DriftAlgorithm;
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
 * tensor names and shapes equal the global model's, all values finite, then what the model's drift
 * algorithm needs (FedNova: local steps; SCAFFOLD: the control delta). The first failing check
 * gives the rejection; a passing update comes back decoded, so it is decoded once.
 */
public final class UpdateValidator {
    private UpdateValidator() {
    }

    /**
     * Whether a client's update trained from a base version may join: empty, or the reason it may
     * not. A synchronous round passes {@code round::admissionCheck} (its open version, one update
     * per client); the asynchronous modes check staleness.
     */
    @FunctionalInterface
    public interface Admission {
        Optional<Rejection> check(String clientId, long baseVersion);
    }

    /** Validates an update of a fedavg (or fedprox) model; {@code admission} decides on its base version and client. */
    public static ValidationResult validate(ModelUpdate update, ModelWeights globalModel, Admission admission) {
        return validate(update, globalModel, admission, DriftAlgorithm.fedAvg());
    }

    /**
     * Validates an update; {@code admission} decides on its base version and client (sync round or
     * async staleness). After the delta's checks come the algorithm's: {@code fednova} needs
     * {@code localSteps >= 1}; {@code scaffold} needs a control delta with the model's layout and
     * finite values. Other algorithms ignore the control delta: the model delta is still a valid
     * FedAvg delta, e.g. from a trainer still in flight when its model was switched away from scaffold.
     */
    public static ValidationResult validate(ModelUpdate update, ModelWeights globalModel, Admission admission,
            DriftAlgorithm algorithm) {
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
        if (algorithm.kind() == DriftAlgorithm.Kind.FEDNOVA && update.getLocalSteps() < 1) {
            return ValidationResult.rejected(RejectionReason.INVALID_LOCAL_STEPS, "fednova normalises each delta by its "
                    + "client's local steps, so localSteps must be at least 1, was " + update.getLocalSteps());
        }
        if (algorithm.kind() == DriftAlgorithm.Kind.SCAFFOLD) {
            Optional<Rejection> control = checkControlDelta(update, globalModel);
            if (control.isPresent()) {
                return new ValidationResult.Rejected(control.get());
            }
        }
        return new ValidationResult.Accepted(new ClientUpdate(update.getUpdateId(), update.getClientId(),
                update.getBaseVersion(), update.getNumExamples(), update.getLocalSteps(), delta, update.getMetrics()));
    }

    /** SCAFFOLD: the update's Δc_i must decode, match the model's layout and be finite. */
    private static Optional<Rejection> checkControlDelta(ModelUpdate update, ModelWeights globalModel) {
        if (update.getControlDelta().isEmpty()) {
            return Optional.of(Rejection.of(RejectionReason.LAYOUT_MISMATCH, "scaffold model: the update carries no control delta "
                    + "Delta c_i (controlDelta is empty); expected tensors " + globalModel.describe()));
        }
        ModelWeights controlDelta;
        try {
            controlDelta = TensorRecords.fromRecords(update.getControlDelta());
        } catch (MalformedRecordException e) {
            return Optional.of(Rejection.of(RejectionReason.MALFORMED_TENSOR, "control delta: " + e.getMessage()));
        }
        if (!controlDelta.sameLayout(globalModel)) {
            return Optional.of(Rejection.of(RejectionReason.LAYOUT_MISMATCH, "control delta tensors " + controlDelta.describe()
                    + " do not match the model's " + globalModel.describe()));
        }
        for (Tensor t : controlDelta.tensors()) {
            if (!t.allFinite()) {
                return Optional.of(Rejection.of(RejectionReason.NON_FINITE_VALUES,
                        "control delta tensor '" + t.name() + "' holds NaN or infinite values"));
            }
        }
        return Optional.empty();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
