package io.floe.core.anomaly;

/**
 * The anomaly scores of one update within its round.
 *
 * @param updateId the update
 * @param clientId its sender
 * @param l2Norm global L2 norm of the delta
 * @param normZ robust z-score of the norm per local step: {@code (r - median) / (1.4826 * MAD)} over the
 *     round, {@code r = l2Norm / max(1, localSteps)}
 * @param cosineToMedian cosine similarity of the delta to the round's coordinate-wise median delta
 * @param krumScore sum of squared distances to its {@code K - f - 2} nearest neighbours (Blanchard et al. 2017)
 * @param normRatio its norm per local step over the round's median norm per step (NaN when that median is 0)
 */
public record UpdateScores(String updateId, String clientId, double l2Norm, double normZ, double cosineToMedian,
        double krumScore, double normRatio) {
    /** Scores without a norm ratio (NaN): no absurd-norm check applies. */
    public UpdateScores(String updateId, String clientId, double l2Norm, double normZ, double cosineToMedian, double krumScore) {
        this(updateId, clientId, l2Norm, normZ, cosineToMedian, krumScore, Double.NaN);
    }
}
