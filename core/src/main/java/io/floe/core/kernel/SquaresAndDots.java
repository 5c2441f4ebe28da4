package io.floe.core.kernel;

/**
 * Each vector's sum of squares and its dot product with a centre, in one pass over the vector: the
 * norm and cosine scores' kernel. Vectors are independent, so they are split over
 * {@link KernelThreads} (contiguous ranges of vectors); each vector's sums run on one thread with
 * four interleaved partial sums in a fixed order, so the result does not depend on the thread
 * count.
 */
public final class SquaresAndDots {
    private SquaresAndDots() {
    }

    /**
     * Adds {@code sum x^2} of {@code vectors[i]} into {@code squares[i]} and {@code sum x * centre}
     * into {@code dots[i]}, on up to the default kernel threads.
     */
    public static void addInto(float[][] vectors, float[] centre, double[] squares, double[] dots) {
        int k = vectors.length;
        long elements = (long) k * centre.length;
        int tasks = KernelThreads.taskCount(elements, k, KernelThreads.defaultMaxThreads());
        KernelThreads.forEachTask(tasks, task -> {
            for (int i = KernelThreads.rangeStart(k, tasks, task); i < KernelThreads.rangeStart(k, tasks, task + 1); i++) {
                double[] sd = of(vectors[i], centre);
                squares[i] += sd[0];
                dots[i] += sd[1];
            }
        });
    }

    /** {sum of x^2, sum of x * m}, four interleaved partial sums each (independent adds), in a fixed order. */
    public static double[] of(float[] x, float[] m) {
        if (x.length != m.length) {
            throw new IllegalArgumentException("a vector of " + x.length + " values against a centre of " + m.length);
        }
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double d0 = 0;
        double d1 = 0;
        double d2 = 0;
        double d3 = 0;
        int j = 0;
        for (; j + 3 < x.length; j += 4) {
            double x0 = x[j];
            double x1 = x[j + 1];
            double x2 = x[j + 2];
            double x3 = x[j + 3];
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
            d0 += x0 * m[j];
            d1 += x1 * m[j + 1];
            d2 += x2 * m[j + 2];
            d3 += x3 * m[j + 3];
        }
        for (; j < x.length; j++) {
            double x0 = x[j];
            s0 += x0 * x0;
            d0 += x0 * m[j];
        }
        return new double[] {(s0 + s1) + (s2 + s3), (d0 + d1) + (d2 + d3)};
    }
}
