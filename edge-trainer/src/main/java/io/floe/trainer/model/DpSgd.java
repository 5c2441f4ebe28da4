package io.floe.trainer.model;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The mechanism of differentially private SGD, Abadi et al. 2016, "Deep Learning with
 * Differential Privacy", Algorithm 1, as {@link DenseNetwork#train(io.floe.trainer.data.Dataset,
 * TrainingConfig, DpSgd)} runs it. Each step:
 * <ol>
 *   <li><b>Poisson sampling</b>: every one of the {@code n} examples joins the batch
 *       independently with probability {@code q = min(1, B / n)}, {@code B} the expected batch
 *       size, so batches vary in size and may be empty. An epoch is {@code ceil(n / B)} steps,
 *       as many as plain SGD takes.</li>
 *   <li><b>Per-example clipping</b>: the gradient {@code g_i} of example {@code i}'s own loss,
 *       over all parameters, is scaled by {@code c_i = min(1, C / ||g_i||_2)}.</li>
 *   <li><b>Noise</b>: {@code N(0, sigma^2 C^2)} is added to each coordinate of the sum of the
 *       clipped gradients, and the sum is divided by the expected batch size {@code q n}, not by
 *       the drawn size (which would depend on the data): Opacus does the same for Poisson
 *       batches.</li>
 *   <li>An SGD step with the configured learning rate.</li>
 * </ol>
 *
 * <p>Per-example gradients are never built one example at a time. For a dense layer with input
 * activations {@code A} ({@code m x in}) and output deltas {@code G} ({@code m x out}), example
 * {@code i}'s weight gradient is the outer product {@code a_i^T g_i}, whose squared Frobenius
 * norm is {@code ||a_i||^2 ||g_i||^2}, and its bias gradient is {@code g_i} (Goodfellow 2015,
 * "Efficient Per-Example Gradient Computations"). So the squared norm of example {@code i} over
 * all layers is {@code sum_l (||a_i^l||^2 + 1) ||g_i^l||^2}; the rows of every {@code G} are
 * then scaled by {@code c}, and the clipped sum is {@code A^T (c . G)}: one GEMM per layer, as in
 * ordinary backpropagation. Scaling after the backward pass is exact because row {@code i} of
 * every {@code G} is linear in row {@code i} of the output delta.
 *
 * <p>Sampling and noise come from two {@link SplittableRandom} streams seeded with the round's
 * {@link TrainingConfig#seed()}: reproducible for tests, but anyone who knows the seed can
 * subtract the noise, so a site must draw it from a secret ({@code io.floe.trainer.privacy}).
 * This mechanism does no accounting: the ledger records {@link #sampleRate} and
 * {@link #stepsPerEpoch} with the noise multiplier.
 *
 * <p>{@code
 * DpSgd dp = new DpSgd(1.0, 1.1, 32);     // C = 1, sigma = 1.1, expected batch 32
 * TrainingResult r = network.train(localTrain, cfg.withSeed(secretSeed), dp);
 * }
 *
 * @param clipNorm {@code C}, the bound on each example's gradient norm; positive and finite
 * @param noiseMultiplier {@code sigma}: noise std over {@code C}; {@code >= 0}, where 0 clips
 *     without noise and gives no privacy (tests only; the privacy config refuses it)
 * @param expectedBatchSize {@code B}, the mean size of a Poisson batch; at least 1
 */
public record DpSgd(double clipNorm, double noiseMultiplier, int expectedBatchSize) {

    public DpSgd {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clip norm C must be positive and finite, got " + clipNorm);
        }
        if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException("noise multiplier must be >= 0 and finite, got " + noiseMultiplier);
        }
        if (expectedBatchSize < 1) {
            throw new IllegalArgumentException("expected batch size must be >= 1, got " + expectedBatchSize);
        }
    }

    /** {@code q = min(1, B / n)}: the probability that an example joins a step's batch. */
    public double sampleRate(int examples) {
        requireExamples(examples);
        return Math.min(1.0, (double) expectedBatchSize / examples);
    }

    /** {@code ceil(n / B)}: steps per local epoch, the same count as plain mini-batch SGD. */
    public int stepsPerEpoch(int examples) {
        requireExamples(examples);
        return (examples + expectedBatchSize - 1) / expectedBatchSize;
    }

    /** Standard deviation {@code sigma C} of the noise on each coordinate of the clipped sum. */
    public double noiseStd() {
        return noiseMultiplier * clipNorm;
    }

    TrainingResult train(DenseNetwork network, INDArray xAll, INDArray yAll, TrainingConfig cfg) {
        int n = (int) xAll.rows();
        double q = sampleRate(n);
        int stepsPerEpoch = stepsPerEpoch(n);
        // divide by the expected batch size q n, which does not depend on the data
        float step = (float) (-cfg.learningRate() / (q * n));
        // with momentum or a correction (FedProx, SCAFFOLD) the noisy mean takes the general step;
        // both only post-process the privatised gradient, so the guarantee is unchanged
        boolean plain = cfg.momentum() == 0.0 && cfg.correction() == GradientCorrection.NONE;
        SgdStep general = plain ? null : new SgdStep(network.flatParameters(), network.flatGradients(), cfg);
        SplittableRandom sampling = new SplittableRandom(cfg.seed());
        SplittableRandom noise = sampling.split();
        Map<Integer, BatchBuffers> buffersBySize = new HashMap<>();
        INDArray[] params = network.flatParameters();
        INDArray[] grads = network.flatGradients();
        int[] chosen = new int[n];
        int steps = 0;
        double epochLoss = Double.NaN;
        for (int epoch = 0; epoch < cfg.localEpochs(); epoch++) {
            double lossSum = 0.0;
            long sampled = 0;
            for (int s = 0; s < stepsPerEpoch; s++) {
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (sampling.nextDouble() < q) {
                        chosen[m++] = i;
                    }
                }
                if (m == 0) {
                    for (INDArray g : grads) {
                        g.assign(0); // an empty batch still takes a noisy step: skipping it would leak
                    }
                } else {
                    BatchBuffers batch = buffersBySize.computeIfAbsent(m, rows -> new BatchBuffers(rows, network.sizes()));
                    System.arraycopy(chosen, 0, batch.sourceRows, 0, m);
                    Nd4j.pullRows(xAll, batch.x, 1, batch.sourceRows);
                    Nd4j.pullRows(yAll, batch.y, 1, batch.sourceRows);
                    lossSum += network.forward(batch) * m;
                    sampled += m;
                    clipAndSum(network, batch);
                }
                addNoise(network, noise);
                if (plain) {
                    for (int t = 0; t < params.length; t++) {
                        Nd4j.getBlasWrapper().axpy(step, grads[t], params[t]); // w += -lr / (q n) * noisy sum
                    }
                } else {
                    for (INDArray g : grads) {
                        g.muli(1.0 / (q * n));
                    }
                    general.apply();
                }
                steps++;
            }
            epochLoss = sampled == 0 ? Double.NaN : lossSum / sampled;
        }
        return new TrainingResult(steps, cfg.localEpochs(), n, epochLoss);
    }

    /**
     * After {@link DenseNetwork#forward} on {@code batch}: leaves the sum of the clipped
     * per-example gradients in the network's gradient buffers and returns the per-example
     * gradient norms before clipping, {@code [rows, 1]}.
     */
    INDArray clipAndSum(DenseNetwork network, BatchBuffers batch) {
        int layers = network.sizes().length - 1;
        // gradient of each example's own loss: P - Y, not the batch mean's (P - Y) / m
        batch.probabilities.sub(batch.y, batch.deltas[layers]);
        network.backpropagate(batch);
        INDArray squaredNorms = Nd4j.zeros(DataType.FLOAT, batch.rows, 1);
        for (int i = 0; i < layers; i++) {
            INDArray a = batch.inputOf(i);
            INDArray g = batch.deltas[i + 1];
            INDArray inputSq = a.mul(a).sum(true, 1).addi(1.0); // + 1: the bias sees a constant input
            INDArray deltaSq = g.mul(g).sum(true, 1);
            squaredNorms.addi(inputSq.muli(deltaSq));
        }
        INDArray norms = Transforms.sqrt(squaredNorms, true);
        // c_i = C / max(||g_i||, C) = min(1, C / ||g_i||), and 1 for a zero gradient
        INDArray factors = Transforms.max(norms, clipNorm, true).rdivi(clipNorm);
        for (int i = 1; i <= layers; i++) {
            batch.deltas[i].muliColumnVector(factors);
        }
        network.accumulateGradients(batch);
        return norms;
    }

    /** Adds {@code N(0, (sigma C)^2)} to every coordinate of the network's gradient buffers. */
    void addNoise(DenseNetwork network, RandomGenerator random) {
        double std = noiseStd();
        if (std == 0.0) {
            return;
        }
        for (INDArray g : network.flatGradients()) {
            float[] z = new float[(int) g.length()];
            for (int k = 0; k < z.length; k++) {
                z[k] = (float) (std * random.nextGaussian());
            }
            g.addi(Nd4j.createFromArray(z));
        }
    }

    private static void requireExamples(int examples) {
        if (examples < 1) {
            throw new IllegalArgumentException("DP-SGD needs at least one example, got " + examples);
        }
    }
}
