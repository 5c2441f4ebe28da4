package io.floe.core.trust;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Collection;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Signs a floe record with Ed25519 over its {@link CanonicalBytes} and checks such a signature.
 * Checking never throws on input: a malformed signature or key is simply {@link Verdict#BAD_SIGNATURE}.
 */
public final class RecordSignatures {
    /** What a signature check found. */
    public enum Verdict {
        VALID,
        /** The record carries no signature. */
        UNSIGNED,
        /** A signature that none of the keys verifies (wrong key, altered record, garbage). */
        BAD_SIGNATURE
    }

    private RecordSignatures() {
    }

    /** Sets {@code record}'s signature field to the Ed25519 signature of its canonical bytes; returns the record. */
    public static <T extends SpecificRecord> T sign(T record, PrivateKey key) {
        byte[] message = CanonicalBytes.of(record);
        try {
            Signature signer = Signature.getInstance(Ed25519Keys.ALGORITHM);
            signer.initSign(key);
            signer.update(message);
            record.put(CanonicalBytes.signatureField(record.getSchema()).pos(), ByteBuffer.wrap(signer.sign()));
            return record;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key (Ed25519 expected): " + e.getMessage(), e);
        }
    }

    /** Whether {@code key} verifies {@code record}'s signature. */
    public static Verdict verify(SpecificRecord record, PublicKey key) {
        return verifyAny(record, List.of(key));
    }

    /** Whether any of {@code keys} verifies {@code record}'s signature (the canonical bytes are computed once). */
    public static Verdict verifyAny(SpecificRecord record, Collection<PublicKey> keys) {
        ByteBuffer signature = (ByteBuffer) record.get(CanonicalBytes.signatureField(record.getSchema()).pos());
        if (signature == null) {
            return Verdict.UNSIGNED;
        }
        byte[] sig = new byte[signature.remaining()];
        signature.duplicate().get(sig);
        byte[] message = CanonicalBytes.of(record);
        for (PublicKey key : keys) {
            if (verifies(key, message, sig)) {
                return Verdict.VALID;
            }
        }
        return Verdict.BAD_SIGNATURE;
    }

    /** Whether {@code key} verifies {@code sig} over {@code message}; false for any malformed key or signature. */
    static boolean verifies(PublicKey key, byte[] message, byte[] sig) {
        try {
            Signature verifier = Signature.getInstance(Ed25519Keys.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
