package io.floe.trainer.eval;

import java.util.Arrays;
import java.util.Objects;

/**
 * Scores of binary-classifier probabilities against 0/1 labels: log loss, accuracy at 0.5 and
 * ROC AUC, with the number of rows scored.
 *
 * <p>AUC is the headline metric of floe's experiments: WDBC has 37% malignant rows and a
 * label-skewed hospital may have far fewer, and AUC does not move with the class mix or the
 * threshold. It is computed exactly by the rank-sum (Mann-Whitney U) identity
 * {@code AUC = (R_1 - n_1 (n_1 + 1) / 2) / (n_1 n_0)}, where {@code R_1} is the sum of the
 * positives' ranks among all scores and tied scores share their average rank (Hanley and
 * McNeil 1982, "The meaning and use of the area under a ROC curve", Radiology 143). So a tie
 * between a positive and a negative counts one half, as in scikit-learn's {@code roc_auc_score}.
 * With only one class present AUC is undefined and reported as NaN, never as 0.5 or 1.
 *
 * <p>{@code
 * BinaryMetrics m = BinaryMetrics.of(test.labels(), network.predictProba(test));
 * LOG.info("round {} auc {} loss {}", round, m.auc(), m.logLoss());
 * }
 *
 * @param logLoss mean binary cross-entropy, probabilities clipped to {@code [1e-7, 1 - 1e-7]}
 * @param accuracy share of rows whose {@code p >= 0.5} matches the label
 * @param auc ROC AUC, NaN when the labels hold a single class
 * @param examples rows scored
 */
public record BinaryMetrics(double logLoss, double accuracy, double auc, int examples) {
    /**
     * Probabilities are clipped this far from 0 and 1 before the log: a float32 sigmoid rounds
     * to exactly 1 above logit ~17, and one such confident mistake must not make the loss infinite.
     */
    public static final double PROBABILITY_EPSILON = 1e-7;

    /** All three scores of {@code probabilities} (of class 1) against {@code labels} (0 or 1). */
    public static BinaryMetrics of(int[] labels, float[] probabilities) {
        return new BinaryMetrics(logLoss(labels, probabilities), accuracy(labels, probabilities),
                auc(labels, probabilities), labels.length);
    }

    /** Mean of {@code -y log p - (1 - y) log(1 - p)}; NaN for no rows. */
    public static double logLoss(int[] labels, float[] probabilities) {
        check(labels, probabilities);
        double sum = 0.0;
        for (int i = 0; i < labels.length; i++) {
            double p = Math.min(Math.max(probabilities[i], PROBABILITY_EPSILON), 1.0 - PROBABILITY_EPSILON);
            sum -= labels[i] == 1 ? Math.log(p) : Math.log1p(-p);
        }
        return labels.length == 0 ? Double.NaN : sum / labels.length;
    }

    /** Share of rows where {@code (p >= 0.5) == (label == 1)}; NaN for no rows. */
    public static double accuracy(int[] labels, float[] probabilities) {
        check(labels, probabilities);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if ((probabilities[i] >= 0.5f) == (labels[i] == 1)) {
                correct++;
            }
        }
        return labels.length == 0 ? Double.NaN : (double) correct / labels.length;
    }

    /**
     * ROC AUC by the rank-sum identity with average ranks for ties; NaN unless both classes are
     * present. Any score order works, not only probabilities.
     */
    public static double auc(int[] labels, float[] scores) {
        check(labels, scores);
        int n = labels.length;
        long positives = 0;
        for (int label : labels) {
            positives += label;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        Integer[] byScore = new Integer[n];
        for (int i = 0; i < n; i++) {
            byScore[i] = i;
        }
        Arrays.sort(byScore, (a, b) -> Float.compare(scores[a], scores[b]));
        double positiveRankSum = 0.0;
        for (int start = 0; start < n; ) {
            int end = start + 1;
            while (end < n && scores[byScore[end]] == scores[byScore[start]]) { // == also ties -0.0 with 0.0
                end++;
            }
            // rows start..end-1 (0-based) share ranks start+1..end; their average is (start+1+end)/2
            double averageRank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) {
                positiveRankSum += labels[byScore[k]] * averageRank;
            }
            start = end;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    private static void check(int[] labels, float[] probabilities) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(probabilities, "probabilities");
        if (labels.length != probabilities.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + probabilities.length + " scores");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("label " + labels[i] + " at row " + i + " is not 0 or 1");
            }
            if (Float.isNaN(probabilities[i])) {
                throw new IllegalArgumentException("score at row " + i + " is NaN");
            }
        }
    }
}
