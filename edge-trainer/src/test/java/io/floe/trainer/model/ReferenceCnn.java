package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import io.floe.core.tensor.ModelWeights;

/**
 * The cnn's forward pass for one image, with loops in double and no nd4j, written the way
 * PyTorch's SimpleCNN computes it: cross-correlation with {@code [out, in, kH, kW]} kernels, ReLU,
 * 2x2 max-pool dropping an odd last row or column, flatten in channel-row-column order, dense
 * layers, softmax.
 */
final class ReferenceCnn {
    private ReferenceCnn() {
    }

    static double[] probabilities(Architecture arch, ModelWeights w, float[] image) {
        int[] shape = arch.imageShape();
        int h = shape[0];
        int wd = shape[1];
        int c = shape[2];
        double[][][] a = new double[c][h][wd];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < wd; x++) {
                    a[ch][y][x] = image[(ch * h + y) * wd + x];
                }
            }
        }
        for (int layer = 0; layer < 2; layer++) {
            a = pool(relu(conv(a, w.get("conv" + layer + ".W").values(), w.get("conv" + layer + ".b").values())));
        }
        int f = a.length * a[0].length * a[0][0].length;
        double[] v = new double[f];
        int i = 0;
        for (double[][] map : a) {
            for (double[] row : map) {
                for (double value : row) {
                    v[i++] = value;
                }
            }
        }
        int[] sizes = arch.layerSizes();
        for (int layer = 0; layer < sizes.length - 1; layer++) {
            float[] wt = w.get("dense" + layer + ".W").values();
            float[] b = w.get("dense" + layer + ".b").values();
            double[] z = new double[sizes[layer + 1]];
            for (int o = 0; o < z.length; o++) {
                double s = b[o];
                for (int in = 0; in < v.length; in++) {
                    s += v[in] * wt[in * z.length + o];
                }
                z[o] = layer < sizes.length - 2 ? Math.max(s, 0.0) : s;
            }
            v = z;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double z : v) {
            max = Math.max(max, z);
        }
        double sum = 0.0;
        for (int k = 0; k < v.length; k++) {
            v[k] = Math.exp(v[k] - max);
            sum += v[k];
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= sum;
        }
        return v;
    }

    private static double[][][] conv(double[][][] in, float[] kernel, float[] bias) {
        int cin = in.length;
        int cout = bias.length;
        int k = Architecture.CNN_KERNEL;
        int oh = in[0].length - k + 1;
        int ow = in[0][0].length - k + 1;
        double[][][] out = new double[cout][oh][ow];
        for (int o = 0; o < cout; o++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    double s = bias[o];
                    for (int ci = 0; ci < cin; ci++) {
                        for (int dy = 0; dy < k; dy++) {
                            for (int dx = 0; dx < k; dx++) {
                                s += in[ci][y + dy][x + dx] * kernel[((o * cin + ci) * k + dy) * k + dx];
                            }
                        }
                    }
                    out[o][y][x] = s;
                }
            }
        }
        return out;
    }

    private static double[][][] relu(double[][][] a) {
        for (double[][] map : a) {
            for (double[] row : map) {
                for (int x = 0; x < row.length; x++) {
                    row[x] = Math.max(row[x], 0.0);
                }
            }
        }
        return a;
    }

    private static double[][][] pool(double[][][] a) {
        int oh = a[0].length / 2;
        int ow = a[0][0].length / 2;
        double[][][] out = new double[a.length][oh][ow];
        for (int c = 0; c < a.length; c++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    out[c][y][x] = Math.max(Math.max(a[c][2 * y][2 * x], a[c][2 * y][2 * x + 1]),
                            Math.max(a[c][2 * y + 1][2 * x], a[c][2 * y + 1][2 * x + 1]));
                }
            }
        }
        return out;
    }
}
