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
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The {@code cnn(H,W,C,K)} of an {@link Architecture} (NIID-Bench's SimpleCNN) on nd4j, NCHW,
 * trained by mini-batch SGD on softmax cross-entropy.
 *
 * <p>Each layer of a batch is one libnd4j op over the whole batch into a preallocated buffer
 * ({@link ConvBatchBuffers}): {@code conv2d} (im2col and one GEMM) with the bias, an in-place ReLU,
 * {@code maxpool2d}; then the dense layers as in {@link DenseNetwork}, on a view of the second
 * pool's output. Backward runs the same layers in reverse with {@code maxpool2d_bp}, the ReLU mask
 * and {@code conv2d_bp}, which also yields the weight and bias gradients; the step is in place
 * ({@link SgdStep}). Weights use PyTorch's {@code [out, in, kH, kW]} layout (libnd4j's weight
 * format 1), so tensors move between floe and a PyTorch SimpleCNN without transposition except
 * the dense matrices, which floe stores as {@code [in, out]}.
 *
 * <p>Not thread-safe: one network per training thread. DP-SGD is not supported for a cnn.
 *
 * <p>{@code
 * ConvNetwork net = new ConvNetwork(Architecture.parse("cnn(28,28,1,10)"), global);
 * TrainingResult r = net.train(localTrain, cfg.withMomentum(0.9));
 * }
 */
public final class ConvNetwork implements LocalModel {
    /** Rows per forward pass when predicting, to bound the buffers' memory. */
    private static final int PREDICT_CHUNK = 256;

    private final Architecture architecture;
    private final DataType dtype;
    private final int[] imageShape;
    private final int[] denseSizes;
    private final int layers;
    private final INDArray[] convW = new INDArray[2];
    private final INDArray[] convB = new INDArray[2];
    private final INDArray[] gradConvW = new INDArray[2];
    private final INDArray[] gradConvB = new INDArray[2];
    /** {@code gradConvW[0]} as {@code [6, C*25]}. */
    private final INDArray gradConvW0Rows;
    private final INDArray[] w;
    /** Dense biases as {@code [1, out]} rows so they broadcast over a batch. */
    private final INDArray[] b;
    private final INDArray[] gradW;
    private final INDArray[] gradB;
    /** Rank-1 views of all parameters and gradients in wire order. */
    private final INDArray[] flatParams;
    private final INDArray[] flatGrads;
    private final int[][] tensorShapes;
    private ConvBatchBuffers fullBatch;
    private ConvBatchBuffers lastBatch;
    /** Buffers of the prediction chunks, kept apart so that predicting does not evict the training ones. */
    private ConvBatchBuffers predictBatch;

    /** A float32 network holding {@code weights}, which must match {@code architecture}, a cnn. */
    public ConvNetwork(Architecture architecture, ModelWeights weights) {
        this(architecture, weights, DataType.FLOAT);
    }

    /** In another precision: double for the finite-difference gradient check. */
    ConvNetwork(Architecture architecture, ModelWeights weights, DataType dtype) {
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        if (!architecture.isConvolutional()) {
            throw new IllegalArgumentException(architecture + " is not a cnn; use DenseNetwork or Architecture.newModel");
        }
        this.dtype = dtype;
        this.imageShape = architecture.imageShape();
        this.denseSizes = architecture.layerSizes();
        this.layers = denseSizes.length - 1;
        this.w = new INDArray[layers];
        this.b = new INDArray[layers];
        this.gradW = new INDArray[layers];
        this.gradB = new INDArray[layers];
        List<Tensor> template = architecture.zeroWeights().tensors();
        this.tensorShapes = new int[template.size()][];
        for (int t = 0; t < tensorShapes.length; t++) {
            tensorShapes[t] = template.get(t).shape();
        }
        int in = imageShape[2];
        for (int i = 0; i < 2; i++) {
            int out = Architecture.CNN_CHANNELS[i];
            int k = Architecture.CNN_KERNEL;
            convW[i] = Nd4j.create(dtype, out, in, k, k);
            gradConvW[i] = Nd4j.create(dtype, out, in, k, k);
            convB[i] = Nd4j.create(dtype, out);
            gradConvB[i] = Nd4j.create(dtype, out);
            in = out;
        }
        this.gradConvW0Rows = gradConvW[0].reshape('c', Architecture.CNN_CHANNELS[0], gradConvW[0].length() / Architecture.CNN_CHANNELS[0]);
        for (int i = 0; i < layers; i++) {
            w[i] = Nd4j.create(dtype, denseSizes[i], denseSizes[i + 1]);
            b[i] = Nd4j.create(dtype, 1, denseSizes[i + 1]);
            gradW[i] = Nd4j.create(dtype, denseSizes[i], denseSizes[i + 1]);
            gradB[i] = Nd4j.create(dtype, 1, denseSizes[i + 1]);
        }
        List<INDArray> params = new ArrayList<>();
        List<INDArray> grads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            params.add(convW[i]);
            params.add(convB[i]);
            grads.add(gradConvW[i]);
            grads.add(gradConvB[i]);
        }
        for (int i = 0; i < layers; i++) {
            params.add(w[i]);
            params.add(b[i]);
            grads.add(gradW[i]);
            grads.add(gradB[i]);
        }
        this.flatParams = params.stream().map(a -> a.reshape(a.length())).toArray(INDArray[]::new);
        this.flatGrads = grads.stream().map(a -> a.reshape(a.length())).toArray(INDArray[]::new);
        setWeights(weights);
    }

    @Override
    public Architecture architecture() {
        return architecture;
    }

    @Override
    public void setWeights(ModelWeights weights) {
        Objects.requireNonNull(weights, "weights");
        if (!architecture.accepts(weights)) {
            throw new IllegalArgumentException("weights " + weights.describe() + " do not fit " + architecture
                    + ", which needs " + architecture.zeroWeights().describe());
        }
        List<Tensor> tensors = weights.tensors();
        for (int t = 0; t < flatParams.length; t++) {
            float[] v = tensors.get(t).values();
            flatParams[t].assign(Nd4j.create(v, new long[] {v.length}, DataType.FLOAT));
        }
    }

    @Override
    public ModelWeights weights() {
        return export(flatParams);
    }

    /** Parameters as rank-1 views in wire order; writes go to the network. For the gradient check. */
    INDArray[] flatParameters() {
        return flatParams;
    }

    /** The gradients of the last forward-backward pass in the network's precision, in wire order. For tests. */
    double[][] gradientsInDouble() {
        double[][] out = new double[flatGrads.length][];
        for (int t = 0; t < out.length; t++) {
            out[t] = flatGrads[t].dup().data().asDouble();
        }
        return out;
    }

    /** The gradients of the last forward-backward pass, in wire layout. */
    ModelWeights gradients() {
        return export(flatGrads);
    }

    /**
     * Runs {@code cfg.localEpochs()} epochs of mini-batch SGD (with {@code cfg}'s momentum and
     * correction) over {@code data}, reshuffled each epoch by a {@link SplittableRandom} seeded
     * with {@code cfg.seed()}, as {@link DenseNetwork#train(Dataset, TrainingConfig, EpochListener)} does.
     */
    @Override
    public TrainingResult train(Dataset data, TrainingConfig cfg, EpochListener afterEpoch) {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(afterEpoch, "afterEpoch (EpochListener.NONE for none)");
        requireInputs(data);
        DenseNetwork.requireLabels(architecture, data);
        int n = data.size();
        INDArray xAll = features(data);
        INDArray yAll = DenseNetwork.targets(data, architecture.outputDim(), dtype);
        return LocalEpochs.run(n, cfg, new SgdStep(flatParams, flatGrads, cfg), (order, start, rows) -> {
            ConvBatchBuffers batch = buffers(rows, cfg.batchSize());
            System.arraycopy(order, start, batch.sourceRows, 0, batch.rows);
            Nd4j.pullRows(xAll, batch.x, 1, batch.sourceRows);
            Nd4j.pullRows(yAll, batch.y, 1, batch.sourceRows);
            return forwardBackward(batch);
        }, afterEpoch);
    }

    /** DP-SGD needs per-example gradient norms of the convolutions, which this network does not compute. */
    public TrainingResult train(Dataset data, TrainingConfig cfg, DpSgd dp) {
        throw new UnsupportedOperationException("DP-SGD is implemented for logreg and mlp (DenseNetwork) only, not for "
                + architecture + ": per-example clipping of convolution gradients is not implemented");
    }

    @Override
    public float[] predictProba(Dataset data) {
        requireInputs(data);
        int n = data.size();
        int k = architecture.outputDim();
        float[] out = new float[Math.multiplyExact(n, k)];
        if (n == 0) {
            return out;
        }
        INDArray xAll = features(data);
        for (int start = 0; start < n; start += PREDICT_CHUNK) {
            int rows = Math.min(PREDICT_CHUNK, n - start);
            if (predictBatch == null || predictBatch.rows != rows) {
                predictBatch = newBuffers(rows);
            }
            ConvBatchBuffers batch = predictBatch;
            for (int r = 0; r < batch.rows; r++) {
                batch.sourceRows[r] = start + r;
            }
            Nd4j.pullRows(xAll, batch.x, 1, batch.sourceRows);
            forward(batch);
            float[] p = batch.probabilities.data().asFloat();
            System.arraycopy(p, 0, out, start * k, p.length);
        }
        return out;
    }

    /** Mean loss of {@code (x, y)}, {@code y} one-hot; leaves the gradients in {@link #gradients()}. For tests. */
    double lossAndGradients(INDArray x, INDArray y) {
        ConvBatchBuffers batch = buffers((int) x.rows(), (int) x.rows());
        batch.x.assign(x.reshape(x.rows(), architecture.inputDim()));
        batch.y.assign(y);
        return forwardBackward(batch);
    }

    private double forwardBackward(ConvBatchBuffers batch) {
        double loss = forward(batch);
        batch.probabilities.sub(batch.y, batch.deltas[layers]).muli(1.0 / batch.rows);
        backward(batch);
        return loss;
    }

    private double forward(ConvBatchBuffers batch) {
        for (int i = 0; i < 2; i++) {
            exec(batch.convForward[i]);
            Transforms.relu(batch.conv[i], false);
            exec(batch.poolForward[i]);
        }
        for (int i = 0; i < layers; i++) {
            INDArray z = batch.activations[i + 1];
            Nd4j.gemm(batch.denseInputOf(i), w[i], z, false, false, 1.0, 0.0);
            z.addiRowVector(b[i]);
            if (i < layers - 1) {
                Transforms.relu(z, false);
            }
        }
        return OutputLoss.forward(batch.logits(), batch.probabilities, batch.y);
    }

    /** From the output delta in {@code batch.deltas[L]}: every gradient buffer, dense then convolutional. */
    private void backward(ConvBatchBuffers batch) {
        for (int i = layers - 1; i >= 0; i--) {
            INDArray delta = batch.deltas[i + 1];
            Nd4j.gemm(batch.denseInputOf(i), delta, gradW[i], true, false, 1.0, 0.0);
            delta.sum(gradB[i], true, 0);
            if (i > 0) {
                Nd4j.gemm(delta, w[i], batch.deltas[i], false, true, 1.0, 0.0);
                Nd4j.getExecutioner().exec(new Step(batch.activations[i], batch.reluMasks[i], 0.0));
                batch.deltas[i].muli(batch.reluMasks[i]);
            } else {
                // the pooled maps feed dense0 without a non-linearity: dFlat = delta W0^T
                Nd4j.gemm(delta, w[0], batch.dFlat, false, true, 1.0, 0.0);
            }
        }
        for (int i = 1; i >= 0; i--) {
            exec(batch.poolBackward[i]);
            // relu(z) > 0 exactly where z > 0, so the stored activation gives the mask
            Nd4j.getExecutioner().exec(new Step(batch.conv[i], batch.convMask[i], 0.0));
            batch.dConv[i].muli(batch.convMask[i]);
            if (i > 0) {
                exec(batch.convBackward[i]);
            } else {
                // weights and bias only: nothing reads the gradient with respect to the image
                exec(batch.im2col);
                exec(batch.perImageGradWOp);
                batch.perImageGradW.sum(gradConvW0Rows, 0);
                batch.dConv[0].sum(gradConvB[0], 0, 2, 3);
            }
        }
    }

    private static void exec(CustomOp op) {
        Nd4j.getExecutioner().exec(op);
    }

    private ConvBatchBuffers buffers(int rows, int batchSize) {
        if (rows == batchSize) {
            if (fullBatch == null || fullBatch.rows != rows) {
                fullBatch = newBuffers(rows);
            }
            return fullBatch;
        }
        if (lastBatch == null || lastBatch.rows != rows) {
            lastBatch = newBuffers(rows);
        }
        return lastBatch;
    }

    private ConvBatchBuffers newBuffers(int rows) {
        return new ConvBatchBuffers(rows, imageShape, denseSizes, dtype, convW, convB, gradConvW, gradConvB);
    }

    private ModelWeights export(INDArray[] flat) {
        List<Tensor> tensors = new ArrayList<>(flat.length);
        List<Tensor> template = architecture.zeroWeights().tensors();
        for (int t = 0; t < flat.length; t++) {
            float[] v = flat[t].castTo(DataType.FLOAT).dup('c').data().asFloat();
            tensors.add(new Tensor(template.get(t).name(), tensorShapes[t], v));
        }
        return new ModelWeights(tensors);
    }

    private void requireInputs(Dataset data) {
        Objects.requireNonNull(data, "data");
        if (data.featureCount() != architecture.inputDim()) {
            throw new IllegalArgumentException(architecture + " takes " + architecture.inputDim()
                    + " features (C*H*W, channel-row-column order), data has " + data.featureCount());
        }
    }

    private INDArray features(Dataset data) {
        INDArray x = Nd4j.create(data.featuresRowMajor(), new long[] {data.size(), data.featureCount()},
                DataType.FLOAT);
        return dtype == DataType.FLOAT ? x : x.castTo(dtype);
    }
}
