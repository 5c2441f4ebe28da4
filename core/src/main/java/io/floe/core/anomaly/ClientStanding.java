package io.floe.core.anomaly;

/**
 * One client's recent record with a model, packed in a long so that keyed state stays small:
 * bits 0..31 say, newest first, whether the client was rejected in each of its last rounds;
 * bits 32..37 count the rounds recorded (at most 32); bit 62 marks it quarantined.
 */
public record ClientStanding(long bits) {
    public static final int MAX_WINDOW = 32;
    private static final long HISTORY_MASK = 0xFFFF_FFFFL;
    private static final long QUARANTINED = 1L << 62;

    public static final ClientStanding NEW = new ClientStanding(0);

    public boolean quarantined() {
        return (bits & QUARANTINED) != 0;
    }

    public int roundsRecorded() {
        return (int) ((bits >>> 32) & 0x3F);
    }

    /** Rejections among the last {@code window} recorded rounds. */
    public int rejectionsInLast(int window) {
        long mask = window >= 32 ? HISTORY_MASK : (1L << window) - 1;
        return Long.bitCount(bits & mask);
    }

    /** The standing after one more round in which the client was (or was not) rejected. */
    public ClientStanding afterRound(boolean rejected, QuarantineRule rule) {
        long history = ((bits & HISTORY_MASK) << 1 | (rejected ? 1 : 0)) & HISTORY_MASK;
        long rounds = Math.min(MAX_WINDOW, roundsRecorded() + 1);
        long next = history | (rounds << 32) | (bits & QUARANTINED);
        ClientStanding s = new ClientStanding(next);
        if (rule.enabled() && s.rejectionsInLast(rule.window()) >= rule.maxRejections()) {
            return new ClientStanding(next | QUARANTINED);
        }
        return s;
    }

    /** Released by an operator: quarantine lifted and the history forgotten. */
    public ClientStanding released() {
        return NEW;
    }
}
