package io.floe.trainer.eval;

import java.util.Objects;

/**
 * Scores of a softmax classifier's class probabilities against labels in {@code [0, K)}: mean
 * categorical cross-entropy and top-1 accuracy, with the number of rows scored. The multiclass
 * counterpart of {@link BinaryMetrics}; AUC has no single definition for {@code K > 2} classes and
 * is not reported.
 *
 * <p>{@code
 * MulticlassMetrics m = MulticlassMetrics.of(test.labels(), model.predictProba(test), 10);
 * LOG.info("round {} accuracy {} loss {}", round, m.accuracy(), m.logLoss());
 * }
 *
 * @param logLoss mean of {@code -log p[label]}, the probability clipped to at least
 *     {@link BinaryMetrics#PROBABILITY_EPSILON} so one confident mistake stays finite
 * @param accuracy share of rows whose most probable class (the first one on ties, as
 *     {@code argmax} does) is the label
 * @param examples rows scored
 */
public record MulticlassMetrics(double logLoss, double accuracy, int examples) {

    /**
     * Both scores of {@code probabilities}, {@code labels.length * classes} values row-major (row
     * {@code r} holds {@code p[r * classes + c]}), against {@code labels}; NaN scores for no rows.
     *
     * @throws IllegalArgumentException when the lengths disagree, a label lies outside
     *     {@code [0, classes)}, {@code classes < 2}, or a probability is NaN
     */
    public static MulticlassMetrics of(int[] labels, float[] probabilities, int classes) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(probabilities, "probabilities");
        if (classes < 2) {
            throw new IllegalArgumentException("multiclass metrics need K >= 2 classes, got " + classes
                    + "; use BinaryMetrics for one sigmoid output");
        }
        if ((long) labels.length * classes != probabilities.length) {
            throw new IllegalArgumentException(labels.length + " labels of " + classes + " classes need "
                    + (long) labels.length * classes + " probabilities, got " + probabilities.length);
        }
        int n = labels.length;
        double lossSum = 0.0;
        int correct = 0;
        for (int r = 0; r < n; r++) {
            int label = labels[r];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " at row " + r + " is not in [0, " + classes + ")");
            }
            int offset = r * classes;
            int predicted = 0;
            for (int c = 0; c < classes; c++) {
                float p = probabilities[offset + c];
                if (Float.isNaN(p)) {
                    throw new IllegalArgumentException("probability of class " + c + " at row " + r + " is NaN");
                }
                if (p > probabilities[offset + predicted]) {
                    predicted = c;
                }
            }
            if (predicted == label) {
                correct++;
            }
            lossSum -= Math.log(Math.max(probabilities[offset + label], BinaryMetrics.PROBABILITY_EPSILON));
        }
        return n == 0 ? new MulticlassMetrics(Double.NaN, Double.NaN, 0)
                : new MulticlassMetrics(lossSum / n, (double) correct / n, n);
    }
}
