package io.floe.flink.aggregate;

import io.floe.core.trust.ClientAuthentication;
import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.JobTrust;
import io.floe.core.trust.UpdateIdGuard;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRevocation;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may speak for whom, checked before anything else is done with a record. Operator commands
 * (specs, releases, enrolments, revocations) must carry the signature of an operator the job
 * trusts when it was given operator keys ({@link JobTrust}). For a model whose spec requires
 * client authentication, every update header and heartbeat must come from an enrolled, unrevoked,
 * unexpired client and be signed with its enrolled key ({@link ClientAuthentication}), and update
 * ids are unique per model ({@link UpdateIdGuard}). The decisions are core classes; this holds
 * the model's enrolments and seen ids in keyed state and applies enrolment commands.
 */
final class TrustGate {
    private static final Logger LOG = LoggerFactory.getLogger(TrustGate.class);
    static final String REQUIRED = "required";
    static final String NONE = "none";

    private final ModelStates states;
    private final JobTrust trust;

    TrustGate(ModelStates states, JobTrust trust) {
        this.states = states;
        this.trust = trust;
    }

    /** Why an operator command of {@code kind} must be refused: unsigned or signed by no trusted operator. */
    Optional<Rejection> operatorCommand(SpecificRecord command, String kind, String modelId) {
        return ClientAuthentication.operatorCheck(trust.operators().check(command), kind, modelId);
    }

    /** Why a spec cannot apply on this job: an unknown authentication setting, or required authentication without operators. */
    Optional<Rejection> specProblem(ModelSpec spec) {
        String auth = spec.getClientAuthentication();
        if (!REQUIRED.equals(auth) && !NONE.equals(auth)) {
            return Optional.of(Rejection.of(RejectionReason.INVALID_SPEC, "clientAuthentication must be 'required' or 'none', was '"
                    + auth + "'"));
        }
        if (REQUIRED.equals(auth) && !trust.operators().enabled()) {
            return Optional.of(Rejection.of(RejectionReason.INVALID_SPEC, "model " + spec.getModelId() + " requires client "
                    + "authentication, but this job has no operator keys (--operator-keys), so no client could be enrolled"));
        }
        return Optional.empty();
    }

    /** Whether the current model (which must exist) requires its clients to authenticate. */
    boolean authenticated() throws Exception {
        return REQUIRED.equals(states.model().spec().getClientAuthentication());
    }

    /**
     * Why an update of an authenticating model must be refused: not from its enrolled client, or a
     * replay or reuse of an update id. An update that passes has its id remembered.
     */
    Optional<Rejection> update(ModelUpdate update, Instant now) throws Exception {
        Optional<Rejection> who = ClientAuthentication.check(update, update.getModelId(), update.getClientId(),
                states.enrolments().of(update.getClientId()), now);
        if (who.isPresent()) {
            return who;
        }
        Optional<Rejection> replay = UpdateIdGuard.check(update.getUpdateId(), update.getClientId(), update.getCreatedAt(),
                states.updateIds().get(update.getUpdateId()), now);
        if (replay.isEmpty()) {
            states.updateIds().remember(update.getUpdateId(), update.getClientId(), update.getCreatedAt(), now);
        }
        return replay;
    }

    Optional<Rejection> heartbeat(ClientHeartbeat heartbeat, Instant now) throws Exception {
        return ClientAuthentication.check(heartbeat, heartbeat.getModelId(), heartbeat.getClientId(),
                states.enrolments().of(heartbeat.getClientId()), now);
    }

    /** Applies an operator-signed enrolment, or dead-letters it with the reason it cannot apply. */
    void enrol(ClientEnrolment command, InboundRecord origin, Outputs out) throws Exception {
        String problem = null;
        try {
            Ed25519Keys.publicKey(bytes(command));
        } catch (IllegalArgumentException e) {
            problem = "enrolment of client '" + command.getClientId() + "': " + e.getMessage();
        }
        if (problem == null && command.getClientId().isBlank()) {
            problem = "enrolment with an empty clientId";
        }
        if (problem == null && !command.getExpiresAt().isAfter(command.getCreatedAt())) {
            problem = "enrolment of client '" + command.getClientId() + "' expires (" + command.getExpiresAt()
                    + ") before it is made (" + command.getCreatedAt() + ")";
        }
        if (problem == null && !states.enrolments().enrol(command)) {
            problem = "enrolment of client '" + command.getClientId() + "' created at " + command.getCreatedAt()
                    + " is older than the client's stored enrolment or revocation; nothing changes";
        }
        if (problem != null) {
            out.deadLetter(origin, Rejection.of(RejectionReason.INVALID_COMMAND, problem), command.getModelId(), command.getClientId(), null);
            return;
        }
        LOG.info("model {}: client {} enrolled by '{}' until {} (key {})", command.getModelId(), command.getClientId(),
                command.getOperator(), command.getExpiresAt(), Ed25519Keys.fingerprint(Ed25519Keys.publicKey(bytes(command))));
    }

    void revoke(ClientRevocation command, InboundRecord origin, Outputs out) throws Exception {
        if (!states.enrolments().revoke(command)) {
            out.deadLetter(origin, Rejection.of(RejectionReason.INVALID_COMMAND, "revocation of client '" + command.getClientId()
                    + "' created at " + command.getCreatedAt() + " is older than the client's stored enrolment or revocation;"
                    + " nothing changes"), command.getModelId(), command.getClientId(), null);
            return;
        }
        LOG.info("model {}: client {} revoked by '{}': {}", command.getModelId(), command.getClientId(), command.getOperator(),
                command.getReason());
    }

    private static byte[] bytes(ClientEnrolment command) {
        byte[] b = new byte[command.getPublicKey().remaining()];
        command.getPublicKey().duplicate().get(b);
        return b;
    }
}
