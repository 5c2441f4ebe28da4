/**
 * Scores of a model's predictions on held-out rows: log loss, accuracy and ROC AUC for binary
 * classifiers ({@link io.floe.trainer.eval.BinaryMetrics}), mean cross-entropy and accuracy for a
 * softmax over K classes ({@link io.floe.trainer.eval.MulticlassMetrics}). Plain Java over
 * {@code int[]} labels and {@code float[]} probabilities, so the coordinator can score a global
 * model with the same code a hospital uses locally.
 */
package io.floe.trainer.eval;
