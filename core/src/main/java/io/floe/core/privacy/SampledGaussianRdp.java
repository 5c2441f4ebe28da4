package io.floe.core.privacy;

/**
 * Renyi DP of one step of the Sampled Gaussian Mechanism: each record joins the batch
 * independently with probability q (Poisson sampling), the sum has L2 sensitivity 1 and gets
 * Gaussian noise of standard deviation z.
 *
 * <p>Mironov, Talwar, Zhang 2019, "Renyi Differential Privacy of the Sampled Gaussian
 * Mechanism" (arXiv:1908.10530), Section 3.3: RDP at order alpha is log(A_alpha) / (alpha - 1)
 * with A_alpha = E_{x ~ N(0, z^2)} [((1 - q) + q exp((2x - 1) / (2 z^2)))^alpha]. Integer alpha
 * expands A_alpha as a finite binomial sum; fractional alpha splits the
 * integral at z0 = z^2 log(1/q - 1) + 1/2 and sums two convergent series of erfc terms. Both
 * run in log space. This follows, branch by branch, {@code _compute_rdp},
 * {@code _compute_log_a_for_int_alpha} and {@code _compute_log_a_for_frac_alpha} in Opacus
 * ({@code opacus/accountants/analysis/rdp.py}, after TF Privacy's {@code rdp_accountant.py}), so
 * that results compare one to one. Two deliberate differences, neither reachable on Opacus's
 * order grid: binomial coefficients are accumulated as logarithms (Opacus takes the log of a
 * double binomial, which overflows past alpha ~ 1030), and where Opacus would raise (a negative
 * difference in log space) or loop forever (a NaN term) the order yields NaN, which the
 * conversion skips; every order is a valid bound on its own, so skipping one stays sound.
 */
final class SampledGaussianRdp {

    /** Opacus stops the fractional series once both new terms fall below exp(-30). */
    private static final double SERIES_CUTOFF = -30.0;
    /** A safety net only: the series converges in at most tens of thousands of terms. */
    private static final long MAX_SERIES_TERMS = 50_000_000L;

    private SampledGaussianRdp() {}

    /**
     * RDP of one step at order {@code alpha}; may be +infinity. Arguments are assumed valid
     * (0 <= q <= 1, z >= 0, alpha > 1); {@link RdpAccountant} checks them.
     */
    static double rdp(double q, double z, double alpha) {
        if (q == 0) {
            return 0.0;
        }
        if (z == 0) {
            return Double.POSITIVE_INFINITY; // no noise, no privacy
        }
        if (q == 1.0) {
            return alpha / (2 * z * z); // the Gaussian mechanism itself (Mironov 2017, Prop. 7)
        }
        if (Double.isInfinite(alpha)) {
            return Double.POSITIVE_INFINITY;
        }
        return logA(q, z, alpha) / (alpha - 1);
    }

    static double logA(double q, double z, double alpha) {
        return alpha == Math.rint(alpha) ? logAIntegerOrder(q, z, (long) alpha) : logAFractionalOrder(q, z, alpha);
    }

    /** log A_alpha = log sum_{i=0..alpha} C(alpha, i) q^i (1-q)^(alpha-i) exp((i^2 - i) / (2 z^2)). */
    static double logAIntegerOrder(double q, double z, long alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * z * z;
        double logA = Double.NEGATIVE_INFINITY;
        double logBinom = 0.0; // log C(alpha, 0)
        for (long i = 0; i <= alpha; i++) {
            if (i > 0) {
                logBinom += Math.log((double) (alpha - i + 1) / i);
            }
            double term = logBinom + i * logQ + (alpha - i) * log1mQ + ((double) i * i - i) / twoVar;
            logA = logAdd(logA, term);
        }
        return logA;
    }

    /** The two erfc series of Mironov, Talwar, Zhang 2019, Section 3.3, for non-integer alpha. */
    static double logAFractionalOrder(double q, double z, double alpha) {
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * z * z;
        double sqrt2Z = Math.sqrt(2) * z;
        double logHalf = Math.log(0.5);
        double z0 = z * z * Math.log(1 / q - 1) + 0.5;

        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double logAbsCoef = 0.0; // log |C(alpha, 0)|
        boolean coefPositive = true;
        for (long i = 0; i < MAX_SERIES_TERMS; i++) {
            if (i > 0) {
                double ratio = (alpha - i + 1) / i; // C(alpha, i) / C(alpha, i - 1), never 0
                logAbsCoef += Math.log(Math.abs(ratio));
                coefPositive ^= ratio < 0;
            }
            double j = alpha - i;
            double logT0 = logAbsCoef + i * logQ + j * log1mQ;
            double logT1 = logAbsCoef + j * logQ + i * log1mQ;
            double logE0 = logHalf + Erfc.logErfc((i - z0) / sqrt2Z);
            double logE1 = logHalf + Erfc.logErfc((z0 - j) / sqrt2Z);
            double logS0 = logT0 + ((double) i * i - i) / twoVar + logE0;
            double logS1 = logT1 + (j * j - j) / twoVar + logE1;
            if (coefPositive) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < SERIES_CUTOFF) {
                return logAdd(logA0, logA1);
            }
            if (Double.isNaN(logS0) || Double.isNaN(logS1)) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** log(exp(x) + exp(y)); -infinity stands for 0. */
    static double logAdd(double logX, double logY) {
        double a = Math.min(logX, logY);
        double b = Math.max(logX, logY);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }

    /** log(exp(x) - exp(y)) for x >= y; NaN where Opacus raises (x < y). */
    static double logSub(double logX, double logY) {
        if (logX < logY) {
            return Double.NaN;
        }
        if (logY == Double.NEGATIVE_INFINITY) {
            return logX;
        }
        if (logX == logY) {
            return Double.NEGATIVE_INFINITY;
        }
        double diff = logX - logY;
        // Python's math.expm1 raises OverflowError past ~709.78 and Opacus then returns logX;
        // that is also the correctly rounded answer there.
        return diff > 709.0 ? logX : Math.log(Math.expm1(diff)) + logY;
    }
}
