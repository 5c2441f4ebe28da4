package io.floe.flink.io;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * What stands in for a record value too large to copy: its size, its SHA-256 and its first
 * {@link #HEAD_BYTES} bytes. The record itself stays where it is on its topic (topic, partition,
 * offset), so a dead letter that carries a reference loses nothing an operator needs: they can
 * read the record there, check it against the hash, and see from the first bytes what it claims
 * to be (the single-object header names its schema).
 */
public record ValueReference(long size, byte[] sha256, byte[] head) {
    /** Bytes of the value kept in the reference: the header and the first fields. */
    public static final int HEAD_BYTES = 1024;

    /** The reference of {@code value} (not null). */
    public static ValueReference of(byte[] value) {
        return new ValueReference(value.length, sha256(value), Arrays.copyOf(value, Math.min(value.length, HEAD_BYTES)));
    }

    static byte[] sha256(byte[] value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
