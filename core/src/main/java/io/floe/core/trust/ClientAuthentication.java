package io.floe.core.trust;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Whether a client's record (an update header, a heartbeat) for a model that requires client
 * authentication speaks for that client: the client must be enrolled for the model by an operator
 * ({@link Enrolment}), not revoked, not expired, and the record signed with the enrolled key.
 * Checked before anything else is done with the record; the first failing check names the reason.
 */
public final class ClientAuthentication {
    private ClientAuthentication() {
    }

    /**
     * @param enrolment the client's enrolment for the model, null when it has none
     * @param now the record's time (its Kafka timestamp): expiry is judged on the job's clock
     */
    public static Optional<Rejection> check(SpecificRecord record, String modelId, String clientId, Enrolment enrolment, Instant now) {
        String who = "client '" + clientId + "' of model '" + modelId + "'";
        if (enrolment == null || (enrolment.publicKey().length == 0 && !enrolment.revoked())) {
            return Optional.of(Rejection.of(RejectionReason.NOT_ENROLLED, who + " is not enrolled: the model requires client"
                    + " authentication, and no operator-signed ClientEnrolment names this client for this model"));
        }
        if (enrolment.revoked()) {
            return Optional.of(Rejection.of(RejectionReason.REVOKED_CLIENT, who + " was revoked at "
                    + Instant.ofEpochMilli(enrolment.revokedAtMs()) + "; only a newer enrolment lets it train again"));
        }
        if (now.toEpochMilli() > enrolment.expiresAtMs()) {
            return Optional.of(Rejection.of(RejectionReason.ENROLMENT_EXPIRED, who + ": enrolment expired at "
                    + Instant.ofEpochMilli(enrolment.expiresAtMs())));
        }
        return switch (RecordSignatures.verify(record, enrolment.key())) {
            case VALID -> Optional.empty();
            case UNSIGNED -> Optional.of(Rejection.of(RejectionReason.UNSIGNED, who + ": unsigned " + record.getSchema().getName()
                    + "; the model requires every update and heartbeat signed with the client's enrolled key"));
            case BAD_SIGNATURE -> Optional.of(Rejection.of(RejectionReason.BAD_SIGNATURE, who + ": the " + record.getSchema().getName()
                    + "'s signature is not by the key enrolled for this client (" + Ed25519Keys.fingerprint(enrolment.key())
                    + "), or the record was altered after signing"));
        };
    }

    /** The dead-letter reason for an operator command ({@code kind}: spec, release, ...) whose signature {@code verdict} found. */
    public static Optional<Rejection> operatorCheck(RecordSignatures.Verdict verdict, String kind, String modelId) {
        return switch (verdict) {
            case VALID -> Optional.empty();
            case UNSIGNED -> Optional.of(Rejection.of(RejectionReason.UNSIGNED, "unsigned " + kind + " for model '" + modelId
                    + "': this job obeys only commands signed by an operator key it was given (--operator-keys)"));
            case BAD_SIGNATURE -> Optional.of(Rejection.of(RejectionReason.BAD_SIGNATURE, kind + " for model '" + modelId
                    + "' is signed by no operator key this job trusts (--operator-keys), or was altered after signing"));
        };
    }
}
