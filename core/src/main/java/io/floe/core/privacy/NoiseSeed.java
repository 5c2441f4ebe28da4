package io.floe.core.privacy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The seed of a round's DP noise: HMAC-SHA256 over (model id, version) keyed by a secret the
 * operator configures. Without the secret the noise is unpredictable; an auditor holding it
 * regenerates exactly the noise of any version and can replay the aggregation from the log.
 */
public final class NoiseSeed {
    private NoiseSeed() {
    }

    /**
     * The seed of chunk {@code chunk}'s noise in a chunked model's version (issue 13): HMAC over
     * (model id, version, chunk), so each chunk draws its own noise where it is aggregated and a
     * replay with the secret regenerates it chunk by chunk, whatever the parallelism.
     */
    public static long of(byte[] secret, String modelId, long version, int chunk) {
        return of(secret, modelId + "#" + chunk, version);
    }

    public static long of(byte[] secret, String modelId, long version) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("a DP noise secret is required");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(modelId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(ByteBuffer.allocate(Long.BYTES).putLong(version).array());
            return ByteBuffer.wrap(mac.doFinal()).getLong();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
