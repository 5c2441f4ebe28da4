package io.floe.trainer.model;

/**
 * Told after each epoch of {@link LocalModel#train(io.floe.trainer.data.Dataset, TrainingConfig, EpochListener)},
 * on the training thread: for progress output on long runs (the demo's baselines). It sees counts
 * and the loss only, never the weights, so it cannot change what is trained.
 *
 * <p>{@code model.train(data, cfg, (epoch, epochs, loss) -> out.printf("epoch %d/%d%n", epoch, epochs));}
 */
@FunctionalInterface
public interface EpochListener {
    /** Does nothing: {@link LocalModel#train(io.floe.trainer.data.Dataset, TrainingConfig)}. */
    EpochListener NONE = (epoch, epochs, loss) -> { };

    /**
     * @param epoch the epoch just finished, 1-based
     * @param epochs the epochs of this call ({@code cfg.localEpochs()})
     * @param meanLoss mean loss per row over that epoch
     */
    void epochDone(int epoch, int epochs, double meanLoss);
}
