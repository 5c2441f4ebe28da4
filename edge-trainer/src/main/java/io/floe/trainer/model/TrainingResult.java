package io.floe.trainer.model;

/**
 * What one call to {@link DenseNetwork#train} did, reported with the update it produced.
 *
 * <p>{@code examples} is the site's {@code n_k}, the weight of its update in federated averaging
 * (McMahan et al. 2017, Algorithm 1); the loss lets the coordinator watch local fit without
 * seeing any data.
 *
 * @param steps SGD steps taken (mini-batches over all epochs)
 * @param epochs passes over the local data
 * @param examples rows in the local training data
 * @param lastEpochLoss mean binary cross-entropy per row over the last epoch, each row's loss
 *     measured in the forward pass of its own batch (so before that batch's step)
 */
public record TrainingResult(int steps, int epochs, int examples, double lastEpochLoss) {
    public TrainingResult {
        if (steps < 0 || epochs < 0 || examples < 0) {
            throw new IllegalArgumentException("counts must be >= 0: steps=" + steps + ", epochs=" + epochs
                    + ", examples=" + examples);
        }
    }
}
