package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every array a {@link ConvNetwork} forward and backward pass over {@code rows} images writes
 * into, NCHW, plus the libnd4j ops bound to them: built once per batch size and re-run every
 * step, so a training step allocates no native memory.
 *
 * <p>Names follow the layers: {@code conv[i]} holds the ReLU output of convolution {@code i},
 * {@code pool[i]} its 2x2 max-pool, and {@code dConv[i]}, {@code dPool[i]} the gradients of the mean
 * loss with respect to them ({@code dConv[i]} after the ReLU mask, i.e. with respect to the
 * pre-activation). {@code pool[1]} and {@code dPool[1]} are seen by the dense layers as the
 * {@code [rows, F]} views {@code flat} and {@code dFlat} (same memory, channel-row-column order).
 * The dense arrays are indexed as in {@link BatchBuffers}.
 */
final class ConvBatchBuffers {
    /** libnd4j integer arguments for a 5x5, stride 1, unpadded NCHW convolution with {@code [oC, iC, kH, kW]} weights. */
    private static final int[] CONV_ARGS = {Architecture.CNN_KERNEL, Architecture.CNN_KERNEL, 1, 1, 0, 0, 1, 1,
        0 /* valid padding */, 0 /* NCHW */, 1 /* weights [oC, iC, kH, kW] */};
    /** libnd4j integer arguments for a 2x2, stride 2, unpadded NCHW max-pool. */
    private static final int[] POOL_ARGS = {2, 2, 2, 2, 0, 0, 1, 1, 0 /* valid */, 0 /* unused for max */, 0 /* NCHW */};

    final int rows;
    /** {@code [rows, C*H*W]}: the rows as gathered from the dataset. */
    final INDArray x;
    /** {@code [rows, C, H, W]}: a view of {@link #x}. */
    final INDArray image;
    final INDArray y;
    final INDArray probabilities;
    final INDArray[] conv = new INDArray[2];
    final INDArray[] convMask = new INDArray[2];
    final INDArray[] pool = new INDArray[2];
    final INDArray[] dConv = new INDArray[2];
    final INDArray[] dPool = new INDArray[2];
    /** Gradient with respect to the input image: computed by libnd4j's conv2d_bp, never read. */
    final INDArray dImage;
    final INDArray flat;
    final INDArray dFlat;
    final INDArray[] activations;
    final INDArray[] deltas;
    final INDArray[] reluMasks;
    final int[] sourceRows;
    final CustomOp[] convForward = new CustomOp[2];
    final CustomOp[] poolForward = new CustomOp[2];
    final CustomOp[] poolBackward = new CustomOp[2];
    final CustomOp[] convBackward = new CustomOp[2];
    /**
     * The first convolution's weight gradient without conv2d_bp, which would also compute the
     * gradient with respect to the input image (a GEMM and a col2im nobody reads): the image's
     * patches {@code cols [rows, C*25, oH*oW]}, then per image {@code dConv[0] cols^T} as one
     * batched matmul into {@code perImageGradW [rows, 6, C*25]}, summed over images by the network.
     */
    final INDArray cols;
    final INDArray perImageGradW;
    final INDArray dConv0Rows;
    final CustomOp im2col;
    final CustomOp perImageGradWOp;

    ConvBatchBuffers(int rows, int[] imageShape, int[] denseSizes, DataType dtype, INDArray[] convW, INDArray[] convB,
            INDArray[] gradConvW, INDArray[] gradConvB) {
        int h = imageShape[0];
        int w = imageShape[1];
        int c = imageShape[2];
        int layers = denseSizes.length - 1;
        this.rows = rows;
        this.x = Nd4j.create(dtype, rows, (long) c * h * w);
        this.image = x.reshape('c', rows, c, h, w);
        this.dImage = Nd4j.create(dtype, rows, c, h, w);
        this.y = Nd4j.create(dtype, rows, denseSizes[layers]);
        this.probabilities = Nd4j.create(dtype, rows, denseSizes[layers]);
        INDArray input = image;
        INDArray dInput = dImage;
        for (int i = 0; i < 2; i++) {
            int channels = Architecture.CNN_CHANNELS[i];
            h = h - Architecture.CNN_KERNEL + 1;
            w = w - Architecture.CNN_KERNEL + 1;
            conv[i] = Nd4j.create(dtype, rows, channels, h, w);
            convMask[i] = Nd4j.create(dtype, rows, channels, h, w);
            dConv[i] = Nd4j.create(dtype, rows, channels, h, w);
            h /= 2;
            w /= 2;
            pool[i] = Nd4j.create(dtype, rows, channels, h, w);
            dPool[i] = Nd4j.create(dtype, rows, channels, h, w);
            convForward[i] = op("conv2d", CONV_ARGS, new INDArray[] {input, convW[i], convB[i]}, conv[i]);
            poolForward[i] = op("maxpool2d", POOL_ARGS, new INDArray[] {conv[i]}, pool[i]);
            poolBackward[i] = op("maxpool2d_bp", POOL_ARGS, new INDArray[] {conv[i], dPool[i]}, dConv[i]);
            convBackward[i] = op("conv2d_bp", CONV_ARGS, new INDArray[] {input, convW[i], convB[i], dConv[i]},
                    dInput, gradConvW[i], gradConvB[i]);
            input = pool[i];
            dInput = dPool[i];
        }
        this.flat = pool[1].reshape('c', rows, denseSizes[0]);
        this.dFlat = dPool[1].reshape('c', rows, denseSizes[0]);
        this.activations = new INDArray[layers + 1];
        this.deltas = new INDArray[layers + 1];
        this.reluMasks = new INDArray[layers + 1];
        for (int i = 1; i <= layers; i++) {
            activations[i] = Nd4j.create(dtype, rows, denseSizes[i]);
            deltas[i] = Nd4j.create(dtype, rows, denseSizes[i]);
            if (i < layers) {
                reluMasks[i] = Nd4j.create(dtype, rows, denseSizes[i]);
            }
        }
        int patch = c * Architecture.CNN_KERNEL * Architecture.CNN_KERNEL;
        long[] conv0Shape = conv[0].shape();
        int outPixels = (int) (conv0Shape[2] * conv0Shape[3]);
        INDArray cols6 = Nd4j.create(dtype, rows, c, Architecture.CNN_KERNEL, Architecture.CNN_KERNEL,
                conv0Shape[2], conv0Shape[3]);
        this.cols = cols6.reshape('c', rows, patch, outPixels);
        this.dConv0Rows = dConv[0].reshape('c', rows, Architecture.CNN_CHANNELS[0], outPixels);
        this.perImageGradW = Nd4j.create(dtype, rows, Architecture.CNN_CHANNELS[0], patch);
        this.im2col = op("im2col", java.util.Arrays.copyOf(CONV_ARGS, 9), new INDArray[] {image}, cols6);
        this.perImageGradWOp = op("matmul", new int[] {0, 1, 0}, new INDArray[] {dConv0Rows, cols}, perImageGradW);
        this.sourceRows = new int[rows];
        requireView(cols, cols6, "cols");
        requireView(dConv0Rows, dConv[0], "dConv0Rows");
        requireView(image, x, "image");
        requireView(flat, pool[1], "flat");
        requireView(dFlat, dPool[1], "dFlat");
    }

    INDArray logits() {
        return activations[activations.length - 1];
    }

    /** Input of dense layer {@code layer}: the flattened feature maps for layer 0. */
    INDArray denseInputOf(int layer) {
        return layer == 0 ? flat : activations[layer];
    }

    private static CustomOp op(String name, int[] args, INDArray[] inputs, INDArray... outputs) {
        return DynamicCustomOp.builder(name).addInputs(inputs).addOutputs(outputs).addIntegerArguments(args).build();
    }

    private static void requireView(INDArray view, INDArray of, String name) {
        if (view.data().addressPointer().address() != of.data().addressPointer().address()) {
            throw new IllegalStateException(name + " is a copy, not a view; the flatten order would break");
        }
    }
}
