package io.floe.bench.ingest;

import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys of a signed ingest case: an operator (whose public key the job is given), the job's
 * own key (it signs every version) and one key per synthetic client, each enrolled by the
 * operator. The clients sign their update headers, whose manifests cover the chunks, so the job's
 * extra work is one Ed25519 verification per update: what the signed rows measure.
 */
final class SignedClients {
    private final KeyPair operator = Ed25519Keys.generate();
    private final KeyPair job = Ed25519Keys.generate();
    private final List<KeyPair> clients = new ArrayList<>();
    private final Path operatorPublicKey;
    private final Path jobPrivateKey;

    SignedClients(int count, Path dir) {
        for (int k = 0; k < count; k++) {
            clients.add(Ed25519Keys.generate());
        }
        operatorPublicKey = Ed25519Keys.write(operator, dir, "operator");
        Ed25519Keys.write(job, dir, "job");
        jobPrivateKey = dir.resolve("job.key");
    }

    /** The file with the operator's public key, for the job's --operator-keys. */
    Path operatorPublicKey() {
        return operatorPublicKey;
    }

    /** The file with the job's private key, for its --job-key. */
    Path jobPrivateKey() {
        return jobPrivateKey;
    }

    /** {@code spec} requiring client authentication, signed by the operator. */
    ModelSpec signedSpec(ModelSpec spec) {
        spec.setClientAuthentication("required");
        return RecordSignatures.sign(spec, operator.getPrivate());
    }

    /** The operator's signed enrolment of every client for {@code modelId}, encoded. */
    List<byte[]> enrolments(String modelId) {
        List<byte[]> out = new ArrayList<>();
        Instant now = Instant.now();
        for (int k = 0; k < clients.size(); k++) {
            out.add(WireCodec.CLIENT_ENROLMENT.encode(RecordSignatures.sign(ClientEnrolment.newBuilder().setModelId(modelId)
                    .setClientId(SyntheticUpdates.clientId(k)).setPublicKey(ByteBuffer.wrap(clients.get(k).getPublic().getEncoded()))
                    .setExpiresAt(now.plus(Duration.ofDays(1))).setOperator("bench").setCreatedAt(now).build(),
                    operator.getPrivate())));
        }
        return out;
    }

    /** Client {@code k}'s header, signed with its key. */
    ModelUpdate sign(ModelUpdate header, int k) {
        return RecordSignatures.sign(header, clients.get(k).getPrivate());
    }
}
