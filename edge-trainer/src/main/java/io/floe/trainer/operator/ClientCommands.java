package io.floe.trainer.operator;

import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.RecordSignatures;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientRelease;
import io.floe.schema.ClientRevocation;
import java.nio.ByteBuffer;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds an operator's commands about one client of one model, signed with the operator's key:
 * <ul>
 *   <li>{@link ClientEnrolment}: the client may train the model, signing its updates and heartbeats
 *       with this public key, until the expiry;</li>
 *   <li>{@link ClientRevocation}: its enrolment ends now; only an enrolment created later lets it
 *       train again;</li>
 *   <li>{@link ClientRelease}: its quarantine (robust aggregation's repeated rejections) is lifted.</li>
 * </ul>
 * Each is one record per model, keyed by the model id on the control topic. With a null operator
 * key the record goes out unsigned: a job without operator keys obeys it, one with keys refuses it.
 */
public final class ClientCommands {
    private ClientCommands() {
    }

    /**
     * @param clientKey the client's Ed25519 public key, as {@code ./floe keys generate} wrote it
     * @param expiresAt after it, the job refuses the client's records (ENROLMENT_EXPIRED); after {@code createdAt}
     * @param operatorKey signs the record; null: unsigned
     */
    public static ClientEnrolment enrolment(String modelId, String clientId, PublicKey clientKey, Instant expiresAt,
            String operator, Instant createdAt, PrivateKey operatorKey) {
        Objects.requireNonNull(clientKey, "clientKey");
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("the enrolment of client '" + clientId + "' would expire at " + expiresAt
                    + ", not after it is made (" + createdAt + "): give a positive --expires-in");
        }
        // the job decodes the key as Ed25519 X.509; refuse another algorithm here, not there
        byte[] x509 = Ed25519Keys.publicKey(clientKey.getEncoded()).getEncoded();
        ClientEnrolment enrolment = ClientEnrolment.newBuilder()
                .setModelId(requireId(modelId, "model id"))
                .setClientId(requireId(clientId, "client id"))
                .setPublicKey(ByteBuffer.wrap(x509))
                .setExpiresAt(expiresAt)
                .setOperator(operator == null ? "" : operator)
                .setCreatedAt(createdAt)
                .build();
        return signed(enrolment, operatorKey);
    }

    /** @param operatorKey signs the record; null: unsigned */
    public static ClientRevocation revocation(String modelId, String clientId, String reason, String operator, Instant createdAt,
            PrivateKey operatorKey) {
        ClientRevocation revocation = ClientRevocation.newBuilder()
                .setModelId(requireId(modelId, "model id"))
                .setClientId(requireId(clientId, "client id"))
                .setOperator(operator == null ? "" : operator)
                .setReason(reason == null ? "" : reason)
                .setCreatedAt(createdAt)
                .build();
        return signed(revocation, operatorKey);
    }

    /** @param operatorKey signs the record; null: unsigned */
    public static ClientRelease release(String modelId, String clientId, String reason, String operator, Instant createdAt,
            PrivateKey operatorKey) {
        ClientRelease release = ClientRelease.newBuilder()
                .setModelId(requireId(modelId, "model id"))
                .setClientId(requireId(clientId, "client id"))
                .setOperator(operator == null ? "" : operator)
                .setReason(reason == null ? "" : reason)
                .setCreatedAt(createdAt)
                .build();
        return signed(release, operatorKey);
    }

    /** {@code command} signed with {@code operatorKey}, or unchanged when the key is null. */
    public static <T extends SpecificRecord> T signed(T command, PrivateKey operatorKey) {
        return operatorKey == null ? command : RecordSignatures.sign(command, operatorKey);
    }

    private static String requireId(String id, String what) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("empty " + what);
        }
        return id;
    }
}
