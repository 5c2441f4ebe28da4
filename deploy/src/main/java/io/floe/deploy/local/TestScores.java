package io.floe.deploy.local;

import io.floe.trainer.eval.BinaryMetrics;
import io.floe.trainer.eval.MulticlassMetrics;

/**
 * How a model does on a scenario's held-out evaluation set.
 *
 * @param auc ROC AUC of a binary model; NaN for a multiclass model (a K-class AUC has several
 *     definitions, macro one-vs-rest among them; the multiclass scenarios report accuracy only)
 * @param accuracy share of rows classified correctly (threshold 0.5 for a binary model, argmax of
 *     the softmax for a multiclass one)
 * @param logLoss mean cross-entropy of the true label
 * @param examples rows scored
 */
public record TestScores(double auc, double accuracy, double logLoss, int examples) {

    public static TestScores of(BinaryMetrics m) {
        return new TestScores(m.auc(), m.accuracy(), m.logLoss(), m.examples());
    }

    public static TestScores of(MulticlassMetrics m) {
        return new TestScores(Double.NaN, m.accuracy(), m.logLoss(), m.examples());
    }

    /** AUC when it is defined (binary), else accuracy: the score a run ranks models by. */
    public double headline() {
        return Double.isFinite(auc) ? auc : accuracy;
    }
}
