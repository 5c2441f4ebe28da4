package io.floe.trainer.model;

/**
 * How a site trains in one round: plain mini-batch SGD on mean binary cross-entropy.
 *
 * <p>Defaults ({@link #defaults()}): learning rate 0.1 and batch 32, which train WDBC-sized,
 * standardised tables stably for both {@code logreg} and small {@code mlp}s; 5 local epochs,
 * because a hospital with ~45 rows gets only two SGD steps per epoch, and McMahan et al.
 * (2017), "Communication-Efficient Learning of Deep Networks from Decentralized Data",
 * table 2, find {@code E = 5} a good trade between rounds and client drift; seed 42.
 *
 * <p>{@code
 * TrainingConfig cfg = TrainingConfig.defaults().withLocalEpochs(1).withSeed(round);
 * }
 *
 * @param learningRate SGD step size, positive and finite
 * @param localEpochs passes over the local data per call to {@code train}, at least 1
 * @param batchSize rows per SGD step, at least 1; the last batch of an epoch may be smaller
 * @param seed seeds the per-epoch shuffle, so a round can be replayed exactly
 */
public record TrainingConfig(double learningRate, int localEpochs, int batchSize, long seed) {
    public static final double DEFAULT_LEARNING_RATE = 0.1;
    public static final int DEFAULT_LOCAL_EPOCHS = 5;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final long DEFAULT_SEED = 42L;

    public TrainingConfig {
        if (!(learningRate > 0.0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (localEpochs < 1) {
            throw new IllegalArgumentException("local epochs must be >= 1, got " + localEpochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(DEFAULT_LEARNING_RATE, DEFAULT_LOCAL_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_SEED);
    }

    public TrainingConfig withLearningRate(double learningRate) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed);
    }

    public TrainingConfig withLocalEpochs(int localEpochs) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed);
    }

    public TrainingConfig withBatchSize(int batchSize) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed);
    }

    public TrainingConfig withSeed(long seed) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed);
    }
}
