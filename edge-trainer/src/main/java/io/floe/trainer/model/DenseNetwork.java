package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.trainer.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A feed-forward network of the shape an {@link Architecture} describes, computed with nd4j in
 * float32, and trained by mini-batch SGD on mean cross-entropy: binary with one sigmoid output,
 * categorical with a softmax over {@code K >= 2} outputs.
 *
 * <p>Forward and backward passes are written out by hand rather than built on a DL4J graph, so
 * the parameter layout is exactly the {@link ModelWeights} wire layout and the update a site
 * sends is easy to audit. For a batch {@code X} of {@code m} rows and layers {@code 0..L-1}:
 * <pre>
 *   A_0 = X,   Z_{i+1} = A_i W_i + b_i,   A_{i+1} = relu(Z_{i+1}) (hidden),   P = sigmoid(Z_L) or softmax(Z_L)
 *   dZ_L = (P - Y) / m
 *   dW_i = A_i^T dZ_{i+1},   db_i = column sums of dZ_{i+1},   dZ_i = (dZ_{i+1} W_i^T) * [Z_i > 0]
 * </pre>
 * (sigmoid or softmax with its cross-entropy gives the simple {@code P - Y}, {@code Y} one-hot for
 * softmax; Bishop 2006, "Pattern Recognition and Machine Learning", eqs. 4.91 and 4.109). Every product is one batched GEMM into a preallocated
 * buffer ({@link BatchBuffers}), and the update is an in-place {@code axpy}.
 *
 * <p>{@link #train(Dataset, TrainingConfig, DpSgd)} trains with DP-SGD instead: the same forward
 * and backward passes, with the output delta of each example's own loss, per-example clipping
 * read off the deltas, and Gaussian noise ({@link DpSgd}).
 *
 * <p>Not thread-safe: one network per training thread. Typical round at a site:
 * <p>{@code
 * DenseNetwork net = new DenseNetwork(Architecture.parse("mlp(30,16,1)"), global);
 * TrainingResult r = net.train(localTrain, TrainingConfig.defaults());
 * ModelWeights delta = net.weights().minus(global);
 * }
 */
public final class DenseNetwork implements LocalModel {
    private final Architecture architecture;
    private final int[] sizes;
    private final int layers;
    private final INDArray[] w;
    /** Biases as {@code [1, out]} rows so they broadcast over a batch. */
    private final INDArray[] b;
    private final INDArray[] gradW;
    private final INDArray[] gradB;
    /** Rank-1 views of the parameters and gradients above (same memory), as BLAS axpy wants vectors. */
    private final INDArray[] flatParams;
    private final INDArray[] flatGrads;
    private BatchBuffers fullBatch;
    private BatchBuffers lastBatch;

    /** A network holding {@code weights}, which must match {@code architecture}. */
    public DenseNetwork(Architecture architecture, ModelWeights weights) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.sizes = architecture.layerSizes();
        this.layers = architecture.layerCount();
        this.w = new INDArray[layers];
        this.b = new INDArray[layers];
        this.gradW = new INDArray[layers];
        this.gradB = new INDArray[layers];
        this.flatParams = new INDArray[2 * layers];
        this.flatGrads = new INDArray[2 * layers];
        for (int i = 0; i < layers; i++) {
            w[i] = Nd4j.create(DataType.FLOAT, sizes[i], sizes[i + 1]);
            b[i] = Nd4j.create(DataType.FLOAT, 1, sizes[i + 1]);
            gradW[i] = Nd4j.create(DataType.FLOAT, sizes[i], sizes[i + 1]);
            gradB[i] = Nd4j.create(DataType.FLOAT, 1, sizes[i + 1]);
            flatParams[2 * i] = w[i].reshape(w[i].length());
            flatParams[2 * i + 1] = b[i].reshape(b[i].length());
            flatGrads[2 * i] = gradW[i].reshape(gradW[i].length());
            flatGrads[2 * i + 1] = gradB[i].reshape(gradB[i].length());
        }
        setWeights(weights);
    }

    /** A network with {@link Architecture#initialWeights(long) Glorot-initialised} weights. */
    public DenseNetwork(Architecture architecture, long seed) {
        this(architecture, architecture.initialWeights(seed));
    }

    @Override
    public Architecture architecture() {
        return architecture;
    }

    /** Replaces all parameters, e.g. with the global model of a new round; values are copied. */
    @Override
    public void setWeights(ModelWeights weights) {
        Objects.requireNonNull(weights, "weights");
        if (!architecture.accepts(weights)) {
            throw new IllegalArgumentException("weights " + weights.describe() + " do not fit " + architecture
                    + ", which needs " + architecture.zeroWeights().describe());
        }
        for (int i = 0; i < layers; i++) {
            Tensor tw = weights.get(Architecture.weightName(i));
            Tensor tb = weights.get(Architecture.biasName(i));
            w[i].assign(Nd4j.create(tw.values(), new long[] {sizes[i], sizes[i + 1]}, DataType.FLOAT));
            b[i].assign(Nd4j.create(tb.values(), new long[] {1, sizes[i + 1]}, DataType.FLOAT));
        }
    }

    /** A copy of the current parameters in wire layout; float values are bit-exact. */
    @Override
    public ModelWeights weights() {
        return export(w, b);
    }

    /**
     * Class probabilities for each row of {@code x}, {@code [n, D]} in, {@code [n, K]} out: the
     * probability of class 1 (the sigmoid output) for {@code K = 1}, the softmax otherwise.
     * Allocates; meant for evaluation, not the training loop.
     */
    public INDArray predictProba(INDArray x) {
        if (x.rank() != 2 || x.columns() != sizes[0]) {
            throw new IllegalArgumentException("expected a [n, " + sizes[0] + "] matrix for " + architecture
                    + ", got shape " + java.util.Arrays.toString(x.shape()));
        }
        INDArray a = x.dataType() == DataType.FLOAT ? x : x.castTo(DataType.FLOAT);
        for (int i = 0; i < layers; i++) {
            INDArray z = a.mmul(w[i]).addiRowVector(b[i]);
            if (i < layers - 1) {
                a = Transforms.relu(z, false);
            } else {
                a = sizes[layers] == 1 ? Transforms.sigmoid(z, false) : Transforms.softmax(z, false);
            }
        }
        return a;
    }

    /** Class probabilities for rows given as arrays; {@code n * K} values, row-major. */
    public float[] predictProba(float[][] x) {
        if (x.length == 0) {
            return new float[0];
        }
        return predictProba(Nd4j.create(x)).data().asFloat();
    }

    /** Class probabilities for every row of {@code data}; {@code n * K} values, row-major. */
    @Override
    public float[] predictProba(Dataset data) {
        requireInputs(data);
        if (data.size() == 0) {
            return new float[0];
        }
        return predictProba(features(data)).data().asFloat();
    }

    /**
     * Runs {@code cfg.localEpochs()} epochs of mini-batch SGD over {@code data}, reshuffled each
     * epoch by a {@link SplittableRandom} seeded with {@code cfg.seed()}; the same weights,
     * data and config give the same result. Labels must be 0 or 1 for one output and lie in
     * {@code [0, K)} for {@code K >= 2}. Every step applies {@code cfg}'s correction and momentum
     * ({@link TrainingConfig}).
     */
    @Override
    public TrainingResult train(Dataset data, TrainingConfig cfg, EpochListener afterEpoch) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(afterEpoch, "afterEpoch (EpochListener.NONE for none)");
        requireTrainable(data);
        int n = data.size();
        INDArray xAll = features(data);
        INDArray yAll = targets(data);
        return LocalEpochs.run(n, cfg, new SgdStep(flatParams, flatGrads, cfg), (order, start, rows) -> {
            BatchBuffers batch = buffers(rows, cfg.batchSize());
            System.arraycopy(order, start, batch.sourceRows, 0, batch.rows);
            Nd4j.pullRows(xAll, batch.x, 1, batch.sourceRows);
            Nd4j.pullRows(yAll, batch.y, 1, batch.sourceRows);
            return forwardBackward(batch);
        }, afterEpoch);
    }

    /**
     * Runs {@code cfg.localEpochs()} epochs of DP-SGD over {@code data} instead of plain SGD:
     * Poisson-sampled batches, each example's gradient clipped, Gaussian noise on the sum (see
     * {@link DpSgd}). {@code cfg.batchSize()} is ignored in favour of {@code dp.expectedBatchSize()},
     * and {@code cfg.seed()} seeds both the sampling and the noise, so it must stay secret for the
     * guarantee to hold.
     */
    public TrainingResult train(Dataset data, TrainingConfig cfg, DpSgd dp) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(dp, "dp");
        requireTrainable(data);
        return dp.train(this, features(data), targets(data), cfg);
    }

    /**
     * Mean loss of the batch {@code (x, y)} at the current weights; leaves the gradients in
     * {@link #gradients()}. Package-private for the gradient check.
     */
    double lossAndGradients(INDArray x, INDArray y) {
        BatchBuffers batch = new BatchBuffers((int) x.rows(), sizes);
        batch.x.assign(x);
        batch.y.assign(y);
        return forwardBackward(batch);
    }

    /** The gradients of the last forward-backward pass, in wire layout. */
    ModelWeights gradients() {
        return export(gradW, gradB);
    }

    private double forwardBackward(BatchBuffers batch) {
        double loss = forward(batch);
        batch.probabilities.sub(batch.y, batch.deltas[layers]).muli(1.0 / batch.rows);
        backpropagate(batch);
        accumulateGradients(batch);
        return loss;
    }

    /** Fills the activations and probabilities of {@code batch}; returns the mean loss of its rows. */
    double forward(BatchBuffers batch) {
        for (int i = 0; i < layers; i++) {
            INDArray z = batch.activations[i + 1];
            Nd4j.gemm(batch.inputOf(i), w[i], z, false, false, 1.0, 0.0);
            z.addiRowVector(b[i]);
            if (i < layers - 1) {
                Transforms.relu(z, false);
            }
        }
        return OutputLoss.forward(batch.logits(), batch.probabilities, batch.y);
    }

    /**
     * From the output delta in {@code batch.deltas[L]}, fills {@code deltas[L-1..1]}. Row {@code r}
     * of each delta depends on row {@code r} of the output delta only, which is what lets DP-SGD
     * read per-example gradients off these matrices.
     */
    void backpropagate(BatchBuffers batch) {
        for (int i = layers - 1; i > 0; i--) {
            // relu(z) > 0 exactly where z > 0, so the stored activation gives the mask
            INDArray previous = batch.deltas[i];
            Nd4j.gemm(batch.deltas[i + 1], w[i], previous, false, true, 1.0, 0.0);
            Nd4j.getExecutioner().exec(new Step(batch.activations[i], batch.reluMasks[i], 0.0));
            previous.muli(batch.reluMasks[i]);
        }
    }

    /** {@code dW_i = A_i^T dZ_{i+1}} and {@code db_i} = column sums of {@code dZ_{i+1}}, into the gradient buffers. */
    void accumulateGradients(BatchBuffers batch) {
        for (int i = layers - 1; i >= 0; i--) {
            INDArray delta = batch.deltas[i + 1];
            Nd4j.gemm(batch.inputOf(i), delta, gradW[i], true, false, 1.0, 0.0);
            delta.sum(gradB[i], true, 0);
        }
    }

    int[] sizes() {
        return sizes;
    }

    /** Parameters as rank-1 views, {@code [W0, b0, W1, b1, ...]}; writes go to the network. */
    INDArray[] flatParameters() {
        return flatParams;
    }

    /** Gradient buffers as rank-1 views, in the order of {@link #flatParameters()}. */
    INDArray[] flatGradients() {
        return flatGrads;
    }

    private BatchBuffers buffers(int rows, int batchSize) {
        if (rows == batchSize) {
            if (fullBatch == null || fullBatch.rows != rows) {
                fullBatch = new BatchBuffers(rows, sizes);
            }
            return fullBatch;
        }
        if (lastBatch == null || lastBatch.rows != rows) {
            lastBatch = new BatchBuffers(rows, sizes);
        }
        return lastBatch;
    }

    private ModelWeights export(INDArray[] weightsByLayer, INDArray[] biasesByLayer) {
        List<Tensor> tensors = new ArrayList<>(2 * layers);
        for (int i = 0; i < layers; i++) {
            tensors.add(new Tensor(Architecture.weightName(i), new int[] {sizes[i], sizes[i + 1]},
                    weightsByLayer[i].dup('c').data().asFloat()));
            tensors.add(new Tensor(Architecture.biasName(i), new int[] {sizes[i + 1]},
                    biasesByLayer[i].dup('c').data().asFloat()));
        }
        return new ModelWeights(tensors);
    }

    private void requireTrainable(Dataset data) {
        requireInputs(data);
        requireLabels(architecture, data);
    }

    private void requireInputs(Dataset data) {
        Objects.requireNonNull(data, "data");
        if (data.featureCount() != sizes[0]) {
            throw new IllegalArgumentException(architecture + " takes " + sizes[0] + " features, data has "
                    + data.featureCount());
        }
    }

    /** Labels that fit the output: binary data for one sigmoid output, labels in [0, K) for a softmax. */
    static void requireLabels(Architecture architecture, Dataset data) {
        int k = architecture.outputDim();
        if (data.size() == 0) {
            throw new IllegalArgumentException("cannot train on an empty dataset");
        }
        if (k == 1) {
            if (data.classCount() != 2) {
                throw new IllegalArgumentException(architecture + " has one sigmoid output and trains on binary labels,"
                        + " data has classes " + data.classNames());
            }
            return;
        }
        for (int i = 0; i < data.size(); i++) {
            int label = data.label(i);
            if (label < 0 || label >= k) {
                throw new IllegalArgumentException(architecture + " classifies into " + k + " classes, row " + i
                        + " has label " + label + " (data classes " + data.classNames() + ")");
            }
        }
    }

    /** {@code [n, 1]} 0/1 labels for {@code k = 1}, {@code [n, k]} one-hot rows otherwise. */
    static INDArray targets(Dataset data, int k, DataType dtype) {
        int n = data.size();
        float[] y = new float[Math.multiplyExact(n, k)];
        for (int i = 0; i < n; i++) {
            if (k == 1) {
                y[i] = data.label(i);
            } else {
                y[i * k + data.label(i)] = 1f;
            }
        }
        return Nd4j.create(y, new long[] {n, k}, DataType.FLOAT).castTo(dtype);
    }

    private static INDArray features(Dataset data) {
        return Nd4j.create(data.featuresRowMajor(), new long[] {data.size(), data.featureCount()}, DataType.FLOAT);
    }

    private INDArray targets(Dataset data) {
        return targets(data, sizes[layers], DataType.FLOAT);
    }
}
