package io.floe.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The output non-linearity and its cross-entropy, shared by {@link DenseNetwork} and
 * {@link ConvNetwork}: a sigmoid for one output (binary classification), a softmax over rows for
 * {@code K >= 2} outputs. Both pair with their cross-entropy so that the gradient of the loss with
 * respect to the logits is {@code P - Y} per example (Bishop 2006, "Pattern Recognition and
 * Machine Learning", eqs. 4.91 and 4.109), which is what the networks' backward passes start from.
 */
final class OutputLoss {
    private OutputLoss() {
    }

    /**
     * Writes the probabilities of {@code logits} ({@code [rows, K]}) into {@code probabilities} and
     * returns the mean over rows of the cross-entropy against {@code y} (0/1 for {@code K = 1},
     * one-hot for {@code K >= 2}), computed from the logits in double so it stays finite where
     * the float32 probabilities saturate to 0 or 1.
     */
    static double forward(INDArray logits, INDArray probabilities, INDArray y) {
        if (logits.columns() == 1) {
            Nd4j.getExecutioner().exec(new Sigmoid(logits, probabilities));
            return meanBinaryCrossEntropy(logits, y);
        }
        Nd4j.exec(new SoftMax(logits, probabilities, 1));
        return meanCategoricalCrossEntropy(logits, y);
    }

    /** {@code max(z, 0) - y z + log(1 + exp(-|z|))} equals {@code -y log p - (1 - y) log(1 - p)}. */
    private static double meanBinaryCrossEntropy(INDArray z, INDArray y) {
        long n = z.length();
        double sum = 0.0;
        for (long i = 0; i < n; i++) {
            double zi = z.data().getDouble(i);
            double yi = y.data().getDouble(i);
            sum += Math.max(zi, 0.0) - yi * zi + Math.log1p(Math.exp(-Math.abs(zi)));
        }
        return sum / z.rows();
    }

    /** {@code -sum_k y_k log softmax(z)_k = logsumexp(z) - sum_k y_k z_k}, with the max subtracted first. */
    private static double meanCategoricalCrossEntropy(INDArray z, INDArray y) {
        int rows = (int) z.rows();
        int k = (int) z.columns();
        double sum = 0.0;
        for (int r = 0; r < rows; r++) {
            long base = (long) r * k;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, z.data().getDouble(base + c));
            }
            double exp = 0.0;
            double target = 0.0;
            for (int c = 0; c < k; c++) {
                double zc = z.data().getDouble(base + c);
                exp += Math.exp(zc - max);
                target += y.data().getDouble(base + c) * zc;
            }
            sum += max + Math.log(exp) - target;
        }
        return sum / rows;
    }
}
