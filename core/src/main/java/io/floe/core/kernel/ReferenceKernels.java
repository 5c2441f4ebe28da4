package io.floe.core.kernel;

import java.util.Arrays;

/**
 * The straightforward definitions of the kernels, one coordinate (or one pair) at a time: sort
 * the K values, take the middle ones; one double sum per pair. Slow, obviously right, and what
 * the tests and the JMH benchmarks hold {@link CoordinateKernels} and {@link PairwiseDistances}
 * to.
 */
public final class ReferenceKernels {
    private ReferenceKernels() {
    }

    /** Sorts each coordinate's values ({@link Arrays#sort(float[])}: -0.0 before 0.0) and takes the middle. */
    public static void median(float[][] columns, float[] out) {
        int k = CoordinateKernels.checkColumns(columns, out);
        meanOfRanks(columns, (k - 1) / 2, k / 2, out);
    }

    public static void trimmedMean(float[][] columns, int trimEachSide, float[] out) {
        int k = CoordinateKernels.checkColumns(columns, out);
        CoordinateKernels.checkTrim(k, trimEachSide);
        meanOfRanks(columns, trimEachSide, k - 1 - trimEachSide, out);
    }

    private static void meanOfRanks(float[][] columns, int firstRank, int lastRank, float[] out) {
        float[] values = new float[columns.length];
        for (int j = 0; j < out.length; j++) {
            for (int i = 0; i < columns.length; i++) {
                values[i] = columns[i][j];
            }
            Arrays.sort(values);
            double sum = values[firstRank];
            for (int r = firstRank + 1; r <= lastRank; r++) {
                sum += values[r];
            }
            out[j] = (float) (sum / (lastRank - firstRank + 1));
        }
    }

    /** One left-to-right double sum of {@code (v_p[j] - v_q[j])^2} per pair. */
    public static double[][] squaredL2(float[][] vectors) {
        PairwiseDistances.checkVectors(vectors);
        int k = vectors.length;
        double[][] out = new double[k][k];
        for (int p = 0; p < k; p++) {
            for (int q = p + 1; q < k; q++) {
                double s = 0;
                for (int j = 0; j < vectors[p].length; j++) {
                    double e = (double) vectors[p][j] - vectors[q][j];
                    s += e * e;
                }
                out[p][q] = s;
                out[q][p] = s;
            }
        }
        return out;
    }
}
