package io.floe.core.anomaly;

/**
 * When a client is quarantined: rejected by the anomaly policy in at least {@code maxRejections}
 * of its last {@code window} rounds (default 3 of 5). A quarantined client's updates are
 * dead-lettered until an operator releases it through the control topic. {@code window = 0}
 * disables quarantine.
 */
public record QuarantineRule(int window, int maxRejections) implements java.io.Serializable {
    public static final QuarantineRule DEFAULT = new QuarantineRule(5, 3);
    public static final QuarantineRule DISABLED = new QuarantineRule(0, 1);

    public QuarantineRule {
        if (window < 0 || window > ClientStanding.MAX_WINDOW) {
            throw new IllegalArgumentException("quarantine window must be in [0, " + ClientStanding.MAX_WINDOW + "], was " + window);
        }
        if (maxRejections < 1 || (window > 0 && maxRejections > window)) {
            throw new IllegalArgumentException("quarantine needs 1 <= maxRejections <= window, was " + maxRejections + " of " + window);
        }
    }

    public boolean enabled() {
        return window > 0;
    }
}
