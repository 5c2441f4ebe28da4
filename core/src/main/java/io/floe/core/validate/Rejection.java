package io.floe.core.validate;

import java.util.Objects;

/** Why a record was rejected: a code for machines and a sentence for people. */
public record Rejection(RejectionReason reason, String detail) {
    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    public static Rejection of(RejectionReason reason, String detail) {
        return new Rejection(reason, detail);
    }
}
