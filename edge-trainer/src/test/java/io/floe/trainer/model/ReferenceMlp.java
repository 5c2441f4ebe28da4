package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import io.floe.core.tensor.ModelWeights;

/**
 * A plain double-precision forward pass of an {@link Architecture}, written with loops and no
 * nd4j, so the gradient check compares nd4j's backward pass with an independent function.
 */
final class ReferenceMlp {
    private final int[] sizes;
    private final float[][] x;
    private final float[][] y;

    ReferenceMlp(Architecture architecture, float[][] x, float[][] y) {
        this.sizes = architecture.layerSizes();
        this.x = x;
        this.y = y;
    }

    /** Parameters as {@code [W0, b0, W1, b1, ...]} in double, W row-major {@code [in, out]}. */
    double[][] toDouble(ModelWeights weights) {
        double[][] params = new double[weights.tensorCount()][];
        for (int t = 0; t < params.length; t++) {
            float[] v = weights.tensors().get(t).values();
            params[t] = new double[v.length];
            for (int k = 0; k < v.length; k++) {
                params[t][k] = v[k];
            }
        }
        return params;
    }

    /** Mean over rows of binary cross-entropy summed over outputs, or of softmax cross-entropy for K >= 2. */
    double loss(double[][] params) {
        double sum = 0.0;
        for (int r = 0; r < x.length; r++) {
            double[] z = forward(params, r, null);
            if (z.length > 1) { // softmax cross-entropy against a one-hot row
                double max = Double.NEGATIVE_INFINITY;
                for (double zk : z) {
                    max = Math.max(max, zk);
                }
                double norm = 0.0;
                for (double zk : z) {
                    norm += Math.exp(zk - max);
                }
                for (int k = 0; k < z.length; k++) {
                    sum -= y[r][k] * (z[k] - max - Math.log(norm));
                }
                continue;
            }
            for (int k = 0; k < z.length; k++) {
                double p = 1.0 / (1.0 + Math.exp(-z[k]));
                sum -= y[r][k] * Math.log(p) + (1 - y[r][k]) * Math.log(1 - p);
            }
        }
        return sum / x.length;
    }

    /** The smallest |pre-activation| of any hidden unit over all rows. */
    double minAbsHiddenPreActivation(double[][] params) {
        double[] min = {Double.POSITIVE_INFINITY};
        for (int r = 0; r < x.length; r++) {
            forward(params, r, min);
        }
        return min[0];
    }

    private double[] forward(double[][] params, int row, double[] minHidden) {
        double[] a = new double[sizes[0]];
        for (int j = 0; j < a.length; j++) {
            a[j] = x[row][j];
        }
        int layers = sizes.length - 1;
        for (int i = 0; i < layers; i++) {
            double[] w = params[2 * i];
            double[] b = params[2 * i + 1];
            double[] z = new double[sizes[i + 1]];
            for (int o = 0; o < z.length; o++) {
                double s = b[o];
                for (int in = 0; in < a.length; in++) {
                    s += a[in] * w[in * z.length + o];
                }
                z[o] = s;
            }
            if (i < layers - 1) {
                for (int o = 0; o < z.length; o++) {
                    if (minHidden != null) {
                        minHidden[0] = Math.min(minHidden[0], Math.abs(z[o]));
                    }
                    z[o] = Math.max(z[o], 0.0);
                }
            }
            a = z;
        }
        return a;
    }
}
