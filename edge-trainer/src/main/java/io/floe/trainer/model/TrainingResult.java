package io.floe.trainer.model;

/**
 * What one call to {@link LocalModel#train} did, reported with the update it produced.
 *
 * <p>{@code examples} is the site's {@code n_k}, the weight of its update in federated averaging
 * (McMahan et al. 2017, Algorithm 1); the loss lets the coordinator watch local fit without
 * seeing any data.
 *
 * @param steps local SGD steps taken (mini-batches over all epochs): the {@code tau_i} of FedNova
 *     (Wang et al. 2020) and the {@code K} of SCAFFOLD's control-variate update
 * @param epochs passes over the local data
 * @param examples rows in the local training data
 * @param lastEpochLoss mean cross-entropy per row (binary or categorical) over the last epoch, each row's loss
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
