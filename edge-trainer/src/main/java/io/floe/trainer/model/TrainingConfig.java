package io.floe.trainer.model;

import java.util.Objects;

/**
 * How a site trains in one round: mini-batch SGD on the mean cross-entropy of its model (binary
 * for one sigmoid output, categorical for a softmax), optionally with heavy-ball momentum and a
 * {@link GradientCorrection} (FedProx, SCAFFOLD) applied to every mini-batch gradient.
 *
 * <p>Defaults ({@link #defaults()}): learning rate 0.1 and batch 32, which train WDBC-sized,
 * standardised tables stably for both {@code logreg} and small {@code mlp}s; 5 local epochs,
 * because a hospital with ~45 rows gets only two SGD steps per epoch, and McMahan et al.
 * (2017), "Communication-Efficient Learning of Deep Networks from Decentralized Data",
 * table 2, find {@code E = 5} a good trade between rounds and client drift; seed 42; no momentum
 * and no correction, i.e. plain SGD.
 *
 * <p>{@code
 * TrainingConfig cfg = TrainingConfig.defaults().withLocalEpochs(1).withSeed(round)
 *         .withMomentum(0.9).withCorrection(new ProximalCorrection(global, 0.01));
 * }
 *
 * @param learningRate SGD step size, positive and finite
 * @param localEpochs passes over the local data per call to {@code train}, at least 1
 * @param batchSize rows per SGD step, at least 1; the last batch of an epoch may be smaller
 * @param seed seeds the per-epoch shuffle, so a round can be replayed exactly
 * @param momentum heavy-ball momentum {@code mu} in [0, 1), as PyTorch's {@code SGD} defines it:
 *     {@code v = mu v + g; w -= lr v}, with {@code v = 0} at the start of every {@code train} call
 *     (a fresh optimizer per round, as NIID-Bench builds one); 0 is plain SGD
 * @param correction added to every mini-batch gradient before the step (after DP-SGD's noise);
 *     {@link GradientCorrection#NONE} for none, never null
 */
public record TrainingConfig(double learningRate, int localEpochs, int batchSize, long seed, double momentum,
        GradientCorrection correction) {
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
        if (!(momentum >= 0.0 && momentum < 1.0)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        Objects.requireNonNull(correction, "correction (use GradientCorrection.NONE for none)");
    }

    /** Plain SGD: no momentum, no correction. */
    public TrainingConfig(double learningRate, int localEpochs, int batchSize, long seed) {
        this(learningRate, localEpochs, batchSize, seed, 0.0, GradientCorrection.NONE);
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(DEFAULT_LEARNING_RATE, DEFAULT_LOCAL_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_SEED);
    }

    public TrainingConfig withLearningRate(double learningRate) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed, momentum, correction);
    }

    public TrainingConfig withLocalEpochs(int localEpochs) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed, momentum, correction);
    }

    public TrainingConfig withBatchSize(int batchSize) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed, momentum, correction);
    }

    public TrainingConfig withSeed(long seed) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed, momentum, correction);
    }

    /** Heavy-ball momentum {@code mu} in [0, 1). */
    public TrainingConfig withMomentum(double momentum) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed, momentum, correction);
    }

    /** A correction of every mini-batch gradient, e.g. {@link ProximalCorrection}; NONE for none. */
    public TrainingConfig withCorrection(GradientCorrection correction) {
        return new TrainingConfig(learningRate, localEpochs, batchSize, seed, momentum, correction);
    }
}
