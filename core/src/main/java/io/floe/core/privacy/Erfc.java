package io.floe.core.privacy;

/**
 * The complementary error function erfc(x) and its logarithm, in double precision.
 *
 * <p>Java has no erfc. The series of {@link SampledGaussianRdp} for fractional orders needs
 * log erfc(x) far into the tail (x in the hundreds), where erfc itself underflows, so the tail is
 * computed as {@code -x^2 + log(erfcx(x))} with the scaled function erfcx(x) = exp(x^2) erfc(x)
 * never leaving the representable range.
 *
 * <p>Rational Chebyshev approximations of W. J. Cody, "Rational Chebyshev approximations for the
 * error function", Math. Comp. 23 (1969) 631-638, as in his SPECFUN routine CALERF (netlib):
 * erf on |x| <= 0.46875, erfcx on [0.46875, 4] and an asymptotic form of erfcx beyond 4. Relative
 * error is near 1e-16 in each interval; {@code ErfcTest} checks it against 40-digit mpmath values.
 */
final class Erfc {

    private static final double SQRT_PI_INV = 5.6418958354775628695e-1;
    private static final double SMALL = 0.46875;
    private static final double LOG_2 = Math.log(2.0);

    // erf on [0, 0.46875]
    private static final double[] A = {
        3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3,
        1.85777706184603153e-1};
    private static final double[] B = {
        2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3};
    // erfcx on [0.46875, 4]
    private static final double[] C = {
        5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
        8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3,
        2.15311535474403846e-8};
    private static final double[] D = {
        1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
        3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3};
    // erfcx on (4, inf): x * erfcx(x) = 1/sqrt(pi) - R(1/x^2) / x^2
    private static final double[] P = {
        3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
        6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] Q = {
        2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2,
        2.33520497626869185e-3};

    private Erfc() {}

    /** erfc(x) = 1 - erf(x); underflows to 0 for x above about 26.5. NaN stays NaN. */
    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double y = Math.abs(x);
        if (y <= SMALL) {
            return 1.0 - x * erfOverXSmall(y);
        }
        if (y == Double.POSITIVE_INFINITY) {
            return x < 0 ? 2.0 : 0.0;
        }
        // exp(-y^2) in two factors, Cody's trick: y^2 is split at a multiple of 1/16 so the
        // rounding error of y*y is not amplified by exp.
        double head = Math.floor(16.0 * y) / 16.0;
        double tail = (y - head) * (y + head);
        double tailOfY = Math.exp(-head * head) * Math.exp(-tail) * scaled(y);
        return x < 0 ? 2.0 - tailOfY : tailOfY;
    }

    /**
     * log(erfc(x)) for every finite x, without underflow: about -x^2 - log(x sqrt(pi)) for large
     * x, log 2 for very negative x. Plays the role of {@code log(2) + scipy.special.log_ndtr(-x
     * sqrt(2))} in Opacus.
     */
    static double logErfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x <= SMALL) {
            // erfc(x) lies in [0.49, 2]: its log is well conditioned.
            return x < -SMALL ? LOG_2 + Math.log1p(-0.5 * erfc(-x)) : Math.log(erfc(x));
        }
        if (x == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        return -x * x + Math.log(scaled(x));
    }

    /** erf(y) / y for 0 <= y <= 0.46875. */
    private static double erfOverXSmall(double y) {
        double ysq = y > 1.11e-16 ? y * y : 0.0;
        double num = A[4] * ysq;
        double den = ysq;
        for (int i = 0; i < 3; i++) {
            num = (num + A[i]) * ysq;
            den = (den + B[i]) * ysq;
        }
        return (num + A[3]) / (den + B[3]);
    }

    /** erfcx(y) = exp(y^2) erfc(y) for y >= 0.46875; finite for every finite y. */
    private static double scaled(double y) {
        if (y <= 4.0) {
            double num = C[8] * y;
            double den = y;
            for (int i = 0; i < 7; i++) {
                num = (num + C[i]) * y;
                den = (den + D[i]) * y;
            }
            return (num + C[7]) / (den + D[7]);
        }
        double inv = 1.0 / (y * y);
        double num = P[5] * inv;
        double den = inv;
        for (int i = 0; i < 4; i++) {
            num = (num + P[i]) * inv;
            den = (den + Q[i]) * inv;
        }
        return (SQRT_PI_INV - inv * (num + P[4]) / (den + Q[4])) / y;
    }
}
