package io.floe.core.aggregate;

/**
 * The knobs of the robust rules, as a ModelSpec's AggregationConfig carries them.
 *
 * @param trimFraction beta of {@link TrimmedMean}, in [0, 0.5)
 * @param byzantineClients f of {@link Krum}, {@link MultiKrum} and {@link Bulyan}, >= 0
 * @param multiKrumSelection m of {@link MultiKrum}, >= 0; 0 means K - f
 */
public record RuleParameters(double trimFraction, int byzantineClients, int multiKrumSelection) {
    /** beta = 0.1, f = 1, m = 0 (the AggregationConfig defaults). */
    public static final RuleParameters DEFAULTS = new RuleParameters(0.1, 1, 0);

    public RuleParameters {
        if (!(trimFraction >= 0 && trimFraction < 0.5)) {
            throw new IllegalArgumentException("trimFraction must be in [0, 0.5), was " + trimFraction);
        }
        if (byzantineClients < 0) {
            throw new IllegalArgumentException("byzantineClients must be >= 0, was " + byzantineClients);
        }
        if (multiKrumSelection < 0) {
            throw new IllegalArgumentException("multiKrumSelection must be >= 0 (0 means K - f), was " + multiKrumSelection);
        }
    }
}
