package io.floe.trainer.privacy;

/**
 * Thrown by {@link DpSgdLedger#charge} instead of training a round whose release would take the
 * site past its target epsilon; nothing was charged. The trainer stops sending updates for the
 * model: its records have no budget left.
 */
public final class PrivacyBudgetExhaustedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final double spentEpsilon;
    private final double projectedEpsilon;
    private final double targetEpsilon;

    public PrivacyBudgetExhaustedException(String message, double spentEpsilon, double projectedEpsilon,
            double targetEpsilon) {
        super(message);
        this.spentEpsilon = spentEpsilon;
        this.projectedEpsilon = projectedEpsilon;
        this.targetEpsilon = targetEpsilon;
    }

    /** Epsilon spent by the rounds already trained. */
    public double spentEpsilon() {
        return spentEpsilon;
    }

    /** Epsilon the refused round would have brought the site to. */
    public double projectedEpsilon() {
        return projectedEpsilon;
    }

    public double targetEpsilon() {
        return targetEpsilon;
    }
}
