package io.floe.core.trust;

import io.floe.schema.ClientEnrolment;
import java.nio.ByteBuffer;
import java.security.PublicKey;

/**
 * What the job keeps of a client's enrolment for one model: its public key, when the enrolment
 * was made and when it expires, and when it was revoked (0: not revoked). Packed into a byte array
 * for keyed state ({@link #bytes()}, {@link #of(byte[])}).
 *
 * <p>Commands are ordered by their {@code createdAt}: a revocation ends every enrolment created
 * before it, and only an enrolment created after the revocation enrols the client again (so an old
 * enrolment replayed onto the control topic cannot undo a revocation).
 */
public record Enrolment(byte[] publicKey, long createdAtMs, long expiresAtMs, long revokedAtMs) {
    private static final int HEADER = 24;

    public static Enrolment from(ClientEnrolment record) {
        ByteBuffer key = record.getPublicKey();
        byte[] bytes = new byte[key.remaining()];
        key.duplicate().get(bytes);
        return new Enrolment(bytes, record.getCreatedAt().toEpochMilli(), record.getExpiresAt().toEpochMilli(), 0);
    }

    /** A revocation that arrived before any enrolment: it still ends every enrolment created before it. */
    public static Enrolment revocationOnly(long atMs) {
        return new Enrolment(new byte[0], 0, 0, atMs);
    }

    /** This enrolment after a revocation created at {@code atMs}; unchanged when the enrolment is newer. */
    public Enrolment revokedAt(long atMs) {
        return atMs < createdAtMs ? this : new Enrolment(publicKey, createdAtMs, expiresAtMs, atMs);
    }

    /** Whether {@code next}, an enrolment command, replaces this one (it is newer than both this enrolment and its revocation). */
    public boolean supersededBy(Enrolment next) {
        return next.createdAtMs > createdAtMs && next.createdAtMs > revokedAtMs;
    }

    public boolean revoked() {
        return revokedAtMs > 0;
    }

    public PublicKey key() {
        return Ed25519Keys.publicKey(publicKey);
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(HEADER + publicKey.length).putLong(createdAtMs).putLong(expiresAtMs).putLong(revokedAtMs)
                .put(publicKey).array();
    }

    public static Enrolment of(byte[] packed) {
        ByteBuffer b = ByteBuffer.wrap(packed);
        long created = b.getLong();
        long expires = b.getLong();
        long revoked = b.getLong();
        byte[] key = new byte[b.remaining()];
        b.get(key);
        return new Enrolment(key, created, expires, revoked);
    }
}
