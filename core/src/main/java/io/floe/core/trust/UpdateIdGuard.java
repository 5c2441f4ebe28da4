package io.floe.core.trust;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Replay protection for models that require client authentication: an update id is unique per
 * model across all clients. The job remembers each update id it has seen with its client and
 * creation time ({@link #remembered}); an update whose id it has seen is an exact replay
 * (same client: REPLAYED_UPDATE) or another client reusing the id (DUPLICATE_UPDATE_ID). Ids are
 * kept for {@link #WINDOW}; an update created longer ago than that (by its signed
 * {@code createdAt}, against the record's Kafka time) is refused as a replay too, so the
 * remembered ids stay bounded.
 */
public final class UpdateIdGuard {
    /** How long update ids are remembered, and how old a signed update may be. */
    public static final Duration WINDOW = Duration.ofHours(24);

    private UpdateIdGuard() {
    }

    /**
     * @param seen what {@link #remembered} stored for this update id, null when it is new
     */
    public static Optional<Rejection> check(String updateId, String clientId, Instant createdAt, String seen, Instant now) {
        if (seen != null) {
            String firstClient = clientOf(seen);
            if (firstClient.equals(clientId)) {
                return Optional.of(Rejection.of(RejectionReason.REPLAYED_UPDATE, "update " + updateId + " from client '" + clientId
                        + "' was received before (first at " + createdAtOf(seen) + "); an update counts once"));
            }
            return Optional.of(Rejection.of(RejectionReason.DUPLICATE_UPDATE_ID, "update id " + updateId + " from client '" + clientId
                    + "' was already used by client '" + firstClient + "'; update ids are unique per model"));
        }
        if (createdAt.isBefore(now.minus(WINDOW))) {
            return Optional.of(Rejection.of(RejectionReason.REPLAYED_UPDATE, "update " + updateId + " from client '" + clientId
                    + "' was created at " + createdAt + ", more than " + WINDOW.toHours() + " h before it arrived (" + now
                    + "): outside the replay window"));
        }
        return Optional.empty();
    }

    /** What to remember of an accepted-for-checking update id. */
    public static String remembered(String clientId, Instant createdAt) {
        return createdAt.toEpochMilli() + " " + clientId;
    }

    /** Whether a remembered id can be forgotten at {@code now} (its update is outside the window). */
    public static boolean expired(String seen, Instant now) {
        return createdAtOf(seen).isBefore(now.minus(WINDOW));
    }

    private static String clientOf(String seen) {
        return seen.substring(seen.indexOf(' ') + 1);
    }

    private static Instant createdAtOf(String seen) {
        return Instant.ofEpochMilli(Long.parseLong(seen.substring(0, seen.indexOf(' '))));
    }
}
