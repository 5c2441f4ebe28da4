package io.floe.trainer.daemon;

import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.trust.RecordSignatures.Verdict;
import io.floe.schema.GlobalModel;
import java.security.PublicKey;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a trainer may use a global version it read from the models topic: with the job's
 * public key, only a {@link GlobalModel} record whose signature that key verifies; without one,
 * every version, as before signing existed.
 *
 * <p>A chunked version is checked on its header, the {@code GlobalModel} that carries the chunk
 * manifest, as read and before its chunks are put together: the job signs that header, whose
 * manifest lists every chunk's SHA-256, and {@link io.floe.core.chunk.ChunkedModelAssembly} takes a
 * chunk only when it matches its hash. So the weights a trainer trains on are the job's, chunk by
 * chunk, although the chunks carry no signature of their own.
 *
 * <p>A version that does not verify (unsigned, signed by another key, altered after signing) is
 * ignored: logged at WARN with the model, version and verdict, and counted by verdict
 * ({@link #ignored}); the trainer keeps the newest version that did verify. Thread-safe counts: the
 * follower's thread counts, a metrics endpoint's thread reads.
 *
 * {@code new GlobalModelFollower(bootstrap, "floe.models", "wdbc", props, Ed25519Keys.readPublicKey(Path.of("job.pub")))}
 */
public final class GlobalModelVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(GlobalModelVerifier.class);

    private final PublicKey jobKey;
    private final Map<Verdict, AtomicLong> ignored = new EnumMap<>(Verdict.class);

    private GlobalModelVerifier(PublicKey jobKey) {
        this.jobKey = jobKey;
        ignored.put(Verdict.UNSIGNED, new AtomicLong());
        ignored.put(Verdict.BAD_SIGNATURE, new AtomicLong());
    }

    /** A verifier that accepts every version (no job key: the trainer trusts the models topic). */
    public static GlobalModelVerifier none() {
        return new GlobalModelVerifier(null);
    }

    /** A verifier that accepts only versions {@code jobKey} signed; {@code null} is {@link #none()}. */
    public static GlobalModelVerifier of(PublicKey jobKey) {
        return new GlobalModelVerifier(jobKey);
    }

    /** Whether versions are checked at all (a job key was given). */
    public boolean enabled() {
        return jobKey != null;
    }

    /**
     * Whether the trainer may use {@code record}, a dense version or a chunked version's header as
     * read from the topic (before anything fills in its tensors). A refused one is logged and counted.
     */
    public boolean accepts(GlobalModel record) {
        if (jobKey == null) {
            return true;
        }
        Verdict verdict = RecordSignatures.verify(record, jobKey);
        if (verdict == Verdict.VALID) {
            return true;
        }
        ignored.get(verdict).incrementAndGet();
        LOG.warn("ignoring version {} of model {}{}: {} (this trainer uses only versions signed by job key {}); it keeps"
                        + " following the newest version that verifies", record.getVersion(), record.getModelId(),
                record.getChunks() == null ? "" : " (chunk manifest)", describe(verdict), Ed25519Keys.fingerprint(jobKey));
        return false;
    }

    /** Versions ignored so far with this verdict (0 for VALID). */
    public long ignored(Verdict verdict) {
        AtomicLong n = ignored.get(verdict);
        return n == null ? 0 : n.get();
    }

    /** The metric label of a verdict: {@code unsigned}, {@code bad_signature}. */
    public static String reason(Verdict verdict) {
        return verdict.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(Verdict verdict) {
        return switch (verdict) {
            case UNSIGNED -> "UNSIGNED, it carries no signature";
            case BAD_SIGNATURE -> "BAD_SIGNATURE, not signed by the job's key or altered after signing";
            case VALID -> "VALID";
        };
    }
}
