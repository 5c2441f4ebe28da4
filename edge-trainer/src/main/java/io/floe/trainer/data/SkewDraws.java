package io.floe.trainer.data;

import java.util.SplittableRandom;

/**
 * The random draws behind a non-IID partition: Gamma and Dirichlet variates, log-normal
 * weights, and whole-number apportionment of a total by weights.
 *
 * <p>Written on {@link SplittableRandom} rather than a library sampler so a seed gives the same
 * partition on every JVM and backend; {@code SplittableRandom}'s sequence is specified by its
 * algorithm (SplitMix64) and {@code nextGaussian} by {@code RandomGenerator}'s default.
 */
final class SkewDraws {
    private SkewDraws() {}

    /**
     * A Gamma(shape, 1) variate by Marsaglia and Tsang (2000), "A simple method for generating
     * gamma variables", ACM TOMS 26(3); for {@code shape < 1} it uses their boost
     * {@code Gamma(a) = Gamma(a + 1) * U^(1/a)} (same paper, section 6).
     */
    static double gamma(double shape, SplittableRandom random) {
        if (!(shape > 0.0) || Double.isInfinite(shape)) {
            throw new IllegalArgumentException("gamma shape must be positive and finite, got " + shape);
        }
        if (shape < 1.0) {
            double u = 1.0 - random.nextDouble(); // in (0, 1], so the power is never 0^(1/a) by accident
            return gamma(shape + 1.0, random) * Math.pow(u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x = random.nextGaussian();
            double v = 1.0 + c * x;
            if (v <= 0.0) {
                continue;
            }
            v = v * v * v;
            double u = 1.0 - random.nextDouble();
            double x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1.0 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /**
     * A Dirichlet(concentration) draw, normalised independent Gammas. With very small
     * concentrations every Gamma can underflow to zero; the draw is then a corner of the simplex
     * picked with probability proportional to the concentrations, which is the limit.
     */
    static double[] dirichlet(double[] concentration, SplittableRandom random) {
        double[] p = new double[concentration.length];
        double sum = 0.0;
        for (int i = 0; i < p.length; i++) {
            p[i] = gamma(concentration[i], random);
            sum += p[i];
        }
        if (sum > 0.0) {
            for (int i = 0; i < p.length; i++) {
                p[i] /= sum;
            }
            return p;
        }
        double total = 0.0;
        for (double a : concentration) {
            total += a;
        }
        double pick = random.nextDouble() * total;
        int corner = p.length - 1;
        for (int i = 0; i < p.length - 1; i++) {
            pick -= concentration[i];
            if (pick < 0.0) {
                corner = i;
                break;
            }
        }
        p[corner] = 1.0;
        return p;
    }

    /** {@code count} weights {@code exp(sigma * Z)} with standard normal {@code Z}. */
    static double[] logNormalWeights(int count, double sigma, SplittableRandom random) {
        double[] w = new double[count];
        for (int i = 0; i < count; i++) {
            w[i] = Math.exp(sigma * random.nextGaussian());
        }
        return w;
    }

    /**
     * Splits the whole number {@code total} into parts proportional to {@code weights} by the
     * largest-remainder (Hamilton) method: floors first, then one more to the largest
     * fractional parts, ties to the lower index. Parts sum to {@code total} exactly.
     */
    static int[] apportion(double[] weights, int total) {
        double sum = 0.0;
        for (double w : weights) {
            if (!(w >= 0.0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and non-negative, got " + w);
            }
            sum += w;
        }
        int[] parts = new int[weights.length];
        if (total == 0) {
            return parts;
        }
        if (sum == 0.0) {
            throw new IllegalArgumentException("cannot apportion " + total + " by all-zero weights");
        }
        double[] remainder = new double[weights.length];
        int given = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = total * (weights[i] / sum);
            parts[i] = (int) Math.floor(exact);
            remainder[i] = exact - parts[i];
            given += parts[i];
        }
        for (int left = total - given; left > 0; left--) {
            int best = 0;
            for (int i = 1; i < remainder.length; i++) {
                if (remainder[i] > remainder[best]) {
                    best = i;
                }
            }
            parts[best]++;
            remainder[best] = -1.0;
        }
        return parts;
    }
}
