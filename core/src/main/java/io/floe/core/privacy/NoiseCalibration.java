package io.floe.core.privacy;

/**
 * The inverse of the accountant: the noise multiplier that reaches a target epsilon, as Opacus's
 * {@code make_private_with_epsilon} picks it ({@code opacus/accountants/utils.py},
 * {@code get_noise_multiplier}, RDP accountant, epsilon tolerance 0.01).
 *
 * <p>Bracketing: z doubles from 20 until epsilon(z) <= target (giving up past z = 10^6). Bisection
 * on [0, z_high]: a midpoint whose epsilon is below the target becomes the new z_high; it stops
 * as soon as target - epsilon(z_high) <= 0.01. The answer is z_high, so its epsilon never exceeds
 * the target, and lies within 0.01 below it. Epsilon decreases monotonically in z, so bisection is
 * sound; the iteration cap below only guards against a target that cannot be approached closer
 * than the tolerance in floating point.
 */
final class NoiseCalibration {

    static final double EPSILON_TOLERANCE = 0.01;
    static final double MAX_NOISE_MULTIPLIER = 1e6;
    private static final int MAX_BISECTIONS = 200;

    private NoiseCalibration() {}

    static double noiseMultiplier(double targetEpsilon, double delta, double sampleRate, long steps) {
        if (!(targetEpsilon > 0 && targetEpsilon < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("target epsilon must be positive and finite, got " + targetEpsilon);
        }
        RdpAccountant.checkDelta(delta);
        RdpAccountant.checkSampleRate(sampleRate);
        RdpAccountant.checkSteps(steps);
        if (sampleRate == 0 || steps == 0) {
            // Nothing is released, so epsilon is the conversion's floor whatever z is: no noise
            // multiplier to search for (Opacus's loop would not terminate here).
            throw new IllegalArgumentException(String.format(
                    "with %s epsilon does not depend on the noise multiplier (it is %s at delta %s for any z > 0)",
                    sampleRate == 0 ? "sample rate q = 0" : "0 steps",
                    RdpAccountant.epsilon(sampleRate, 1.0, steps, delta), delta));
        }

        double low = 0;
        double high = 10;
        double epsHigh = Double.POSITIVE_INFINITY;
        while (epsHigh > targetEpsilon) {
            high = 2 * high;
            epsHigh = RdpAccountant.epsilon(sampleRate, high, steps, delta);
            if (high > MAX_NOISE_MULTIPLIER) {
                throw tooLow(targetEpsilon, delta, sampleRate, steps, high, epsHigh);
            }
        }
        for (int i = 0; i < MAX_BISECTIONS && targetEpsilon - epsHigh > EPSILON_TOLERANCE; i++) {
            double mid = (low + high) / 2;
            double eps = RdpAccountant.epsilon(sampleRate, mid, steps, delta);
            if (eps < targetEpsilon) {
                high = mid;
                epsHigh = eps;
            } else {
                low = mid;
            }
        }
        return high;
    }

    private static IllegalArgumentException tooLow(double target, double delta, double q, long steps, double z, double eps) {
        // The conversion costs something even at RDP 0 (no noise multiplier gets below it).
        double floor = RdpAccountant.epsilon(0.0, 1.0, 0, delta);
        String why = target < floor
                ? String.format("at delta %s the RDP-to-(epsilon, delta) conversion alone costs epsilon %.6g over the "
                        + "order grid; raise the target epsilon or delta", delta, floor)
                : "raise the target epsilon or delta, or lower the sample rate or the steps";
        return new IllegalArgumentException(String.format("the privacy budget is too low: even noise multiplier %.0f gives "
                + "epsilon %.6g > %s at delta %s (q = %s, %d steps); %s", z, eps, target, delta, q, steps, why));
    }
}
