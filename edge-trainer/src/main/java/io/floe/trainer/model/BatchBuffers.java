package io.floe.trainer.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every array one forward and backward pass over a batch of {@code rows} rows writes into,
 * allocated once and reused by every step of that batch size.
 *
 * <p>Training visits at most two batch sizes (the configured one and the last, shorter batch of
 * an epoch), so a network keeps at most two of these, and the SGD loop itself allocates no
 * native memory.
 *
 * <p>Indexing follows the layers: {@code activations[0]} is unused (the input is {@link #x}),
 * {@code activations[i]} for {@code 1 <= i < L} is the ReLU output of layer {@code i - 1}, and
 * {@code activations[L]} holds the output layer's logits. {@code deltas[i]} is the gradient of
 * the mean loss with respect to the pre-activation that produced {@code activations[i]}.
 */
final class BatchBuffers {
    final int rows;
    /** Input rows of the batch, {@code [rows, D]}. */
    final INDArray x;
    /** Targets of the batch, {@code [rows, K]}: 0 or 1 for {@code K = 1}, one-hot rows otherwise. */
    final INDArray y;
    /** Sigmoid ({@code K = 1}) or softmax of the logits, {@code [rows, K]}. */
    final INDArray probabilities;
    final INDArray[] activations;
    final INDArray[] deltas;
    /** ReLU derivative (0 or 1) of hidden layer {@code i}; null at 0 and L. */
    final INDArray[] reluMasks;
    /** Which source rows form the batch, for {@code Nd4j.pullRows}. */
    final int[] sourceRows;

    BatchBuffers(int rows, int[] sizes) {
        int layers = sizes.length - 1;
        this.rows = rows;
        this.x = Nd4j.create(DataType.FLOAT, rows, sizes[0]);
        this.y = Nd4j.create(DataType.FLOAT, rows, sizes[layers]);
        this.probabilities = Nd4j.create(DataType.FLOAT, rows, sizes[layers]);
        this.activations = new INDArray[layers + 1];
        this.deltas = new INDArray[layers + 1];
        this.reluMasks = new INDArray[layers + 1];
        for (int i = 1; i <= layers; i++) {
            activations[i] = Nd4j.create(DataType.FLOAT, rows, sizes[i]);
            deltas[i] = Nd4j.create(DataType.FLOAT, rows, sizes[i]);
            if (i < layers) {
                reluMasks[i] = Nd4j.create(DataType.FLOAT, rows, sizes[i]);
            }
        }
        this.sourceRows = new int[rows];
    }

    /** The logits of the output layer. */
    INDArray logits() {
        return activations[activations.length - 1];
    }

    /** The input of layer {@code layer}: the batch itself for layer 0. */
    INDArray inputOf(int layer) {
        return layer == 0 ? x : activations[layer];
    }
}
