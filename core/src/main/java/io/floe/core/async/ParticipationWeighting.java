package io.floe.core.async;

import io.floe.core.spec.NamedSpec;

/**
 * Whether FedBuff weights each buffered update by its client's inverse participation rate
 * ({@link ParticipationIntervals}), as the AggregationConfig field {@code participationWeighting}
 * says: {@code none} (the default: FedBuff's own weights) or {@code interval[:cap=C]} (the
 * FedAU-style estimate from participation intervals capped at {@code C} versions, default
 * {@value #DEFAULT_CAP}).
 *
 * @param enabled true for {@code interval}
 * @param cap the interval cap {@code C} (also how many versions back a client still counts as
 *     active); 0 when not enabled
 */
public record ParticipationWeighting(boolean enabled, int cap) {
    /** The interval cap when {@code interval} names none. */
    public static final int DEFAULT_CAP = 100;

    public ParticipationWeighting {
        if (enabled && cap < 1) {
            throw new IllegalArgumentException("participationWeighting: the interval cap must be at least 1 version, was " + cap);
        }
        if (!enabled && cap != 0) {
            throw new IllegalArgumentException("participationWeighting none takes no cap, was " + cap);
        }
    }

    /** No correction: FedBuff weighs updates by staleness (and the rule) only. */
    public static ParticipationWeighting none() {
        return new ParticipationWeighting(false, 0);
    }

    /** Weighting by the mean participation interval, each interval capped at {@code cap} versions. */
    public static ParticipationWeighting interval(int cap) {
        return new ParticipationWeighting(true, cap);
    }

    /**
     * Parses {@code none} or {@code interval[:cap=C]} (C a whole number of versions, at least 1);
     * null or blank is {@code none}, the schema's default.
     *
     * @throws IllegalArgumentException naming the field
     */
    public static ParticipationWeighting parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return none();
        }
        NamedSpec s = NamedSpec.parse(spec, "participationWeighting");
        switch (s.name()) {
            case "none" -> {
                s.allowOnly();
                return none();
            }
            case "interval" -> {
                try {
                    s.allowOnly("cap");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("participationWeighting option: " + e.getMessage(), e);
                }
                double cap = s.get("cap", DEFAULT_CAP);
                if (cap != Math.rint(cap) || Math.abs(cap) > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("participationWeighting cap '" + cap + "' is not a whole number of versions");
                }
                return interval((int) cap);
            }
            default -> throw new IllegalArgumentException("unknown participationWeighting '" + spec
                    + "'; use none or interval[:cap=C]");
        }
    }

    /** The canonical config string: {@code none} or {@code interval:cap=C}. */
    public String toSpec() {
        return enabled ? "interval:cap=" + cap : "none";
    }
}
