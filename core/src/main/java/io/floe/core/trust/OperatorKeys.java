package io.floe.core.trust;

import java.io.Serializable;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The job's trust anchor: the public keys of the operators whose commands (specs, releases,
 * enrolments, revocations) it obeys, given at submit time ({@code --operator-keys FILE}, one or
 * more PEM blocks). None: the job runs unauthenticated, as before signing existed, and a spec that
 * requires client authentication is refused (no one could enrol its clients).
 * Serializable (keys as their X.509 encoding) so it travels with the job graph.
 */
public final class OperatorKeys implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final OperatorKeys NONE = new OperatorKeys(List.of());

    private final List<byte[]> encoded;
    private transient List<PublicKey> keys;

    private OperatorKeys(List<byte[]> encoded) {
        this.encoded = encoded;
    }

    public static OperatorKeys none() {
        return NONE;
    }

    public static OperatorKeys of(List<PublicKey> keys) {
        List<byte[]> encoded = new ArrayList<>();
        for (PublicKey k : keys) {
            encoded.add(k.getEncoded());
        }
        return new OperatorKeys(List.copyOf(encoded));
    }

    public static OperatorKeys read(Path file) {
        return of(Ed25519Keys.readPublicKeys(file));
    }

    /** Whether the job checks operators' signatures at all. */
    public boolean enabled() {
        return !encoded.isEmpty();
    }

    public int size() {
        return encoded.size();
    }

    /** Whether an operator's key verifies {@code command}; VALID without keys configured (nothing is checked). */
    public RecordSignatures.Verdict check(SpecificRecord command) {
        return enabled() ? RecordSignatures.verifyAny(command, keys()) : RecordSignatures.Verdict.VALID;
    }

    private List<PublicKey> keys() {
        if (keys == null) {
            List<PublicKey> decoded = new ArrayList<>();
            for (byte[] e : encoded) {
                decoded.add(Ed25519Keys.publicKey(e));
            }
            keys = List.copyOf(decoded);
        }
        return keys;
    }
}
