package io.floe.core.async;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.schema.AggregationConfig;
import java.util.Optional;

/**
 * A model's asynchronous-aggregation settings, read and checked from its AggregationConfig:
 * the mode, the staleness function {@code s(tau)}, the staleness bound, FedAsync's mixing
 * weight {@code alpha}, FedBuff's buffer size {@code K} and FedBuff's optional participation
 * weighting ({@link ParticipationWeighting}, fedbuff only).
 *
 * <p>The staleness of an update is {@code tau = currentVersion - baseVersion}: how many versions
 * the server published while the client trained.
 *
 * @param maxStaleness updates with {@code tau > maxStaleness} are rejected; 0 means no bound
 * @param participationWeighting FedBuff's correction for unequal participation; {@code none} in
 *     the other modes
 */
public record AsyncSettings(AsyncMode mode, StalenessFunction staleness, int maxStaleness, double mixing, int bufferSize,
        ParticipationWeighting participationWeighting) {
    /**
     * FedAsync mixes the client's model {@code x_base + Delta}, so the server keeps the last
     * versions' weights; without a staleness bound it keeps this many, and an update from an
     * older base is rejected as stale.
     */
    public static final int FEDASYNC_VERSIONS_KEPT = 64;

    public AsyncSettings {
        if (maxStaleness < 0) {
            throw new IllegalArgumentException("maxStaleness must be >= 0 (0 = no bound), was " + maxStaleness);
        }
        if (!(mixing > 0 && mixing <= 1)) {
            throw new IllegalArgumentException("asyncMixing (FedAsync's alpha) must be in (0, 1], was " + mixing);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize (FedBuff's K) must be at least 1, was " + bufferSize);
        }
        if (participationWeighting == null) {
            throw new IllegalArgumentException("participationWeighting must not be null (use ParticipationWeighting.none())");
        }
        if (participationWeighting.enabled() && mode != AsyncMode.FEDBUFF) {
            // sync rounds take every client once per round, and FedAsync has no buffer whose updates
            // could be reweighted against each other: the correction is defined for FedBuff steps only
            throw new IllegalArgumentException("participationWeighting " + participationWeighting.toSpec()
                    + " applies to mode fedbuff only (it reweights a buffer's updates), not " + mode.configName()
                    + "; use participationWeighting none or mode fedbuff");
        }
    }

    /** The settings without participation weighting. */
    public AsyncSettings(AsyncMode mode, StalenessFunction staleness, int maxStaleness, double mixing, int bufferSize) {
        this(mode, staleness, maxStaleness, mixing, bufferSize, ParticipationWeighting.none());
    }

    /** @throws IllegalArgumentException naming the field */
    public static AsyncSettings from(AggregationConfig c) {
        return new AsyncSettings(AsyncMode.parse(c.getMode()), StalenessFunction.parse(c.getStaleness()),
                c.getMaxStaleness(), c.getAsyncMixing(), c.getBufferSize(),
                ParticipationWeighting.parse(c.getParticipationWeighting()));
    }

    public boolean isAsync() {
        return mode != AsyncMode.SYNC;
    }

    /** FedAsync: how many versions back a base may be and still be mixed. */
    public int versionsKept() {
        return maxStaleness > 0 ? Math.min(maxStaleness, FEDASYNC_VERSIONS_KEPT) : FEDASYNC_VERSIONS_KEPT;
    }

    /** Why an update trained from {@code baseVersion} cannot be used at {@code currentVersion}, or empty. */
    public Optional<Rejection> admissionCheck(long baseVersion, long currentVersion) {
        if (baseVersion > currentVersion || baseVersion < 0) {
            return Optional.of(Rejection.of(RejectionReason.WRONG_BASE_VERSION, "update trained from version " + baseVersion
                    + " but the newest version is " + currentVersion + " (from the future)"));
        }
        long tau = currentVersion - baseVersion;
        if (maxStaleness > 0 && tau > maxStaleness) {
            return Optional.of(Rejection.of(RejectionReason.STALE_UPDATE, "update trained from version " + baseVersion
                    + " is " + tau + " versions stale; maxStaleness is " + maxStaleness));
        }
        if (mode == AsyncMode.FEDASYNC && tau > versionsKept()) {
            return Optional.of(Rejection.of(RejectionReason.STALE_UPDATE, "update trained from version " + baseVersion
                    + " is " + tau + " versions stale; FedAsync keeps the last " + versionsKept() + " versions to mix with"));
        }
        return Optional.empty();
    }

    /** FedAsync's {@code alpha_t = alpha * s(tau)}. */
    public double mixingWeight(long tau) {
        return mixing * staleness.weight(tau);
    }
}
