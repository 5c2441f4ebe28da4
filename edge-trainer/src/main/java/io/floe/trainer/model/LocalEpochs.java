package io.floe.trainer.model;

import java.util.SplittableRandom;

/**
 * The local training loop shared by every {@link LocalModel}: {@code cfg.localEpochs()} epochs of
 * mini-batch SGD over n rows, reshuffled each epoch (Fisher-Yates) by a {@link SplittableRandom}
 * seeded with {@code cfg.seed()}, so the same weights, data and config give the same result (an
 * {@link EpochListener} is told after each epoch and changes nothing). The
 * model supplies the per-batch work: gather the rows, run forward and backward into the gradient
 * buffers the {@link SgdStep} reads, and return the batch's mean loss.
 */
final class LocalEpochs {
    private LocalEpochs() {
    }

    /** One mini-batch: fill the gradients for rows {@code order[start .. start + rows)}; return their mean loss. */
    @FunctionalInterface
    interface BatchGradient {
        double compute(int[] order, int start, int rows);
    }

    static TrainingResult run(int n, TrainingConfig cfg, SgdStep step, BatchGradient batch, EpochListener afterEpoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(cfg.seed());
        int steps = 0;
        double epochLoss = Double.NaN;
        for (int epoch = 0; epoch < cfg.localEpochs(); epoch++) {
            shuffle(order, random);
            double lossSum = 0.0;
            for (int start = 0; start < n; start += cfg.batchSize()) {
                int rows = Math.min(cfg.batchSize(), n - start);
                lossSum += batch.compute(order, start, rows) * rows;
                step.apply();
                steps++;
            }
            epochLoss = lossSum / n;
            afterEpoch.epochDone(epoch + 1, cfg.localEpochs(), epochLoss);
        }
        return new TrainingResult(steps, cfg.localEpochs(), n, epochLoss);
    }

    static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = values[i];
            values[i] = values[j];
            values[j] = tmp;
        }
    }
}
