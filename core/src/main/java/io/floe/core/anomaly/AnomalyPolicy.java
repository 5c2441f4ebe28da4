package io.floe.core.anomaly;

import java.util.Locale;

/**
 * A model's policy on anomalous updates. An update is suspicious when the robust z-score of its
 * norm exceeds {@code normZThreshold} in absolute value (boosted or vanishing updates) or its
 * cosine to the coordinate-wise median is below {@code cosineThreshold} (it points away from the
 * round's robust centre). What happens to a suspicious update depends on the mode.
 *
 * <p>Defaults: flag only, |z| > 3.5 (Iglewicz and Hoaglin's cut-off for modified z-scores), cosine
 * below 0, down-weight factor 0.1.
 *
 * @param mode FLAG, DOWNWEIGHT or REJECT (what a suspicious update gets; ACCEPT is not a mode)
 * @param normZThreshold |z| above this is suspicious; must be positive
 * @param cosineThreshold cosine below this is suspicious, in [-1, 1]
 * @param downweightFactor weight multiplier in DOWNWEIGHT mode, in (0, 1]
 */
public record AnomalyPolicy(Decision mode, double normZThreshold, double cosineThreshold, double downweightFactor,
        double maxNormRatio) implements java.io.Serializable {

    public static final double DEFAULT_NORM_Z = 3.5;
    public static final double DEFAULT_COSINE = 0.0;
    public static final double DEFAULT_DOWNWEIGHT = 0.1;
    /** An update whose norm per step is over this many times the round's median is rejected whatever the mode. */
    public static final double DEFAULT_MAX_NORM_RATIO = 1000.0;

    /** A policy with the default absurd-norm bound ({@link #DEFAULT_MAX_NORM_RATIO}). */
    public AnomalyPolicy(Decision mode, double normZThreshold, double cosineThreshold, double downweightFactor) {
        this(mode, normZThreshold, cosineThreshold, downweightFactor, DEFAULT_MAX_NORM_RATIO);
    }

    public AnomalyPolicy {
        if (mode == null || mode == Decision.ACCEPT) {
            throw new IllegalArgumentException("anomaly policy mode must be flag, downweight or reject, was " + mode);
        }
        if (!(normZThreshold > 0)) {
            throw new IllegalArgumentException("normZThreshold must be positive, was " + normZThreshold);
        }
        if (!(cosineThreshold >= -1 && cosineThreshold <= 1)) {
            throw new IllegalArgumentException("cosineThreshold must be in [-1, 1], was " + cosineThreshold);
        }
        if (!(downweightFactor > 0 && downweightFactor <= 1)) {
            throw new IllegalArgumentException("downweightFactor must be in (0, 1], was " + downweightFactor);
        }
        if (!(maxNormRatio == 0 || maxNormRatio > 1)) {
            throw new IllegalArgumentException("maxNormRatio must be 0 (off) or above 1, was " + maxNormRatio);
        }
    }

    /**
     * Whether a cosine can make an update suspicious: not with {@code cosineThreshold} -1 (no cosine
     * is below it). Then a round need not compute the coordinate-wise median to score against: under
     * FedAvg its scores come from the fold alone (issue 13: scoring costs only what the policy uses).
     */
    public boolean judgesCosine() {
        return cosineThreshold > -1;
    }

    public static AnomalyPolicy flagOnly() {
        return new AnomalyPolicy(Decision.FLAG, DEFAULT_NORM_Z, DEFAULT_COSINE, DEFAULT_DOWNWEIGHT);
    }

    /** Parses flag, downweight or reject (case-insensitive). */
    public static Decision parseMode(String mode) {
        return switch (mode == null ? "" : mode.toLowerCase(Locale.ROOT)) {
            case "flag" -> Decision.FLAG;
            case "downweight", "down-weight" -> Decision.DOWNWEIGHT;
            case "reject" -> Decision.REJECT;
            default -> throw new IllegalArgumentException("unknown anomaly policy '" + mode + "'; use flag, downweight or reject");
        };
    }

    /** The verdict on one update and, when suspicious, why. */
    public record Verdict(Decision decision, String reason) {
    }

    /**
     * Suspicious updates get the policy's mode; an update whose norm per step is over
     * {@code maxNormRatio} times the round's median is rejected whatever the mode (a safe default:
     * under {@code flag}, one update of norm 1e30 would otherwise move the model by about that much).
     */
    public Verdict judge(UpdateScores s) {
        if (maxNormRatio > 0 && s.normRatio() > maxNormRatio) {
            return new Verdict(Decision.REJECT, String.format(Locale.ROOT, "norm %.4g is %.4g times the round's median norm per"
                    + " step (over maxNormRatio %.4g): rejected whatever the anomaly policy", s.l2Norm(), s.normRatio(), maxNormRatio));
        }
        StringBuilder why = new StringBuilder();
        if (Math.abs(s.normZ()) > normZThreshold) {
            why.append(String.format(Locale.ROOT, "norm %.4g has robust z %.2f (|z| > %.2f)", s.l2Norm(), s.normZ(), normZThreshold));
        }
        if (s.cosineToMedian() < cosineThreshold) {
            if (why.length() > 0) {
                why.append("; ");
            }
            why.append(String.format(Locale.ROOT, "cosine to the median %.3f < %.3f", s.cosineToMedian(), cosineThreshold));
        }
        return why.length() == 0 ? new Verdict(Decision.ACCEPT, "") : new Verdict(mode, why.toString());
    }
}
