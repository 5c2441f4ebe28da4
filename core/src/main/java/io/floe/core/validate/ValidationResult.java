package io.floe.core.validate;

import io.floe.core.aggregate.ClientUpdate;

/** The outcome of validating one update: accepted (decoded, ready to aggregate) or rejected. */
public sealed interface ValidationResult {

    record Accepted(ClientUpdate update) implements ValidationResult {
    }

    record Rejected(Rejection rejection) implements ValidationResult {
    }

    static ValidationResult rejected(RejectionReason reason, String detail) {
        return new Rejected(Rejection.of(reason, detail));
    }
}
