package io.floe.core.round;

import io.floe.schema.AggregationConfig;
import java.time.Instant;

/**
 * The participation timeout of a synchronous round (issue 4, item 2): a round on version
 * {@code v} closes at {@code clientsPerRound} responses or, whichever comes first, when its
 * deadline passes with at least {@code minFitClients} accepted updates. Below that minimum the
 * deadline is extended and the extension is reported instead of the round hanging silently;
 * repeated extensions of one round back off exponentially ({@link #extended(long, long, int)}).
 *
 * <p>Times are processing-time milliseconds. A round's first deadline is
 * {@code openedAt + roundDeadlineMs}, where {@code openedAt} is when its version was published
 * (or, for a model that has no pending deadline, e.g. state from before deadlines existed or a
 * spec that turns them on, the first spec or update seen afterwards). {@code roundDeadlineMs = 0}
 * disables deadlines: the round waits for {@code clientsPerRound} responses, as before.
 *
 * <p>Plain Java; the Flink operator keeps the pending deadline in keyed state and a timer on it.
 */
public record RoundDeadline(long deadlineMs, int minFitClients) {

    /** What happens when a round's deadline passes. */
    public enum Verdict {
        /** At least minFitClients accepted: close the round now with what it has. */
        CLOSE,
        /** Below minFitClients: keep the round open and extend the deadline. */
        EXTEND
    }

    public RoundDeadline {
        if (deadlineMs < 0) {
            throw new IllegalArgumentException("roundDeadlineMs must be >= 0, was " + deadlineMs);
        }
        if (minFitClients < 1) {
            throw new IllegalArgumentException("minFitClients must be >= 1, was " + minFitClients);
        }
    }

    /** The model's deadline settings. */
    public static RoundDeadline from(AggregationConfig config) {
        return new RoundDeadline(config.getRoundDeadlineMs(), config.getMinFitClients());
    }

    /** False when {@code roundDeadlineMs = 0}: rounds close at clientsPerRound only. */
    public boolean enabled() {
        return deadlineMs > 0;
    }

    /** The deadline of a round opened at {@code openedAtMs}. */
    public long firstDeadline(long openedAtMs) {
        requireEnabled();
        return Math.addExact(openedAtMs, deadlineMs);
    }

    /** What the round does when its deadline has passed. */
    public Verdict atDeadline(SyncRound round) {
        requireEnabled();
        return round.hasQuorum(minFitClients) ? Verdict.CLOSE : Verdict.EXTEND;
    }

    /**
     * The extended deadline: {@code roundDeadlineMs} after the passed deadline, or after
     * {@code nowMs} if the timer fired late (e.g. after a restore), so an extension never lies in
     * the past.
     */
    public long extended(long passedDeadlineMs, long nowMs) {
        return extended(passedDeadlineMs, nowMs, 0);
    }

    /**
     * The deadline after the {@code extensionsSoFar + 1}-th extension of one round: extensions back
     * off exponentially, {@code roundDeadlineMs * 2^k}, capped at {@link #MAX_EXTENSION_MS} (or the
     * timeout itself if longer), so a model whose clients are all gone is reported on ever more
     * rarely instead of every timeout, and still resumes when clients come back.
     */
    public long extended(long passedDeadlineMs, long nowMs, int extensionsSoFar) {
        requireEnabled();
        long cap = Math.max(deadlineMs, MAX_EXTENSION_MS);
        long wait = deadlineMs;
        for (int k = 0; k < extensionsSoFar && wait < cap; k++) {
            wait = Math.min(cap, wait * 2);
        }
        return Math.addExact(Math.max(passedDeadlineMs, nowMs), wait);
    }

    /** The longest single extension (unless roundDeadlineMs itself is longer): five minutes. */
    public static final long MAX_EXTENSION_MS = 300_000L;

    /** The report note of an extension. */
    public String extensionNote(SyncRound round, long passedDeadlineMs, long extendedToMs) {
        return "deadline " + Instant.ofEpochMilli(passedDeadlineMs) + " passed with " + round.acceptedCount()
                + " of minFitClients " + minFitClients + " updates accepted on version " + round.openVersion()
                + (round.excludedCount() > 0 ? " (" + round.excludedCount() + " excluded responses do not count)" : "")
                + "; extended to " + Instant.ofEpochMilli(extendedToMs);
    }

    /** The report note of a round closed at its deadline before clientsPerRound responses. */
    public String closedNote(SyncRound round, long deadlineMs) {
        return "closed at its deadline " + Instant.ofEpochMilli(deadlineMs) + " with " + round.acceptedCount()
                + " accepted of clientsPerRound " + round.clientsPerRound() + " (minFitClients " + minFitClients + ")";
    }

    private void requireEnabled() {
        if (!enabled()) {
            throw new IllegalStateException("round deadlines are disabled (roundDeadlineMs = 0)");
        }
    }
}
