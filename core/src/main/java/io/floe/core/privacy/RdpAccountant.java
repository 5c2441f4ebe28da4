package io.floe.core.privacy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Privacy accountant for the Sampled Gaussian Mechanism (DP-SGD, DP-FedAvg) in Renyi DP,
 * computed the way Opacus's {@code RDPAccountant} computes it, so that epsilons compare one to
 * one with Opacus and TF Privacy.
 *
 * <ul>
 *   <li>RDP of one step at each order: Mironov, Talwar, Zhang 2019 ({@link SampledGaussianRdp}).
 *   <li>Composition: RDP at a fixed order adds up over steps and over phases with different
 *       (q, z) (Mironov 2017, Prop. 1), so a phase of T steps contributes T times one step.
 *   <li>Conversion to (epsilon, delta): Balle et al. 2020, "Hypothesis Testing Interpretations
 *       and Renyi Differential Privacy", Thm 21, eps(alpha) = rdp(alpha) - (log delta + log
 *       alpha) / (alpha - 1) + log((alpha - 1) / alpha), minimised over the order grid of
 *       Opacus ({@link #defaultOrders()}).
 * </ul>
 *
 * <p>An instance is a ledger of phases; the static methods answer one-phase questions.
 *
 * <pre>{@code
 * RdpAccountant ledger = new RdpAccountant()
 *         .step(0.01, 1.1, 1_000)    // 1000 steps at q = 0.01, z = 1.1
 *         .step(0.02, 1.5, 500);     // then 500 steps at q = 0.02, z = 1.5
 * PrivacySpent spent = ledger.privacySpent(1e-5);
 * double z = RdpAccountant.noiseMultiplier(8.0, 1e-5, 0.04, 2250);  // 1.416015625
 * }</pre>
 *
 * <p>Opacus behaviours kept on purpose: for q = 0 the RDP is 0 but epsilon is the conversion's
 * floor over the grid (about 0.1 at delta = 1e-5), not 0; for delta close to 1 epsilon can be
 * negative. Not thread-safe.
 */
public final class RdpAccountant {

    /** Opacus {@code RDPAccountant.DEFAULT_ALPHAS}: 1.1, 1.2, ..., 10.9, then 12, 13, ..., 63. */
    private static final double[] DEFAULT_ORDERS = buildDefaultOrders();

    /** One run of {@code steps} identical steps. */
    public record Phase(double sampleRate, double noiseMultiplier, long steps) {
        public Phase {
            checkSampleRate(sampleRate);
            checkNoiseMultiplier(noiseMultiplier);
            checkSteps(steps);
        }
    }

    private final List<Phase> phases = new ArrayList<>();

    /**
     * Records {@code count} steps at sampling rate {@code sampleRate} and noise multiplier
     * {@code noiseMultiplier}; consecutive calls with the same (q, z) extend the last phase, as
     * Opacus's {@code step()} does.
     *
     * @throws IllegalArgumentException if q is outside [0, 1], z is not positive and finite, or
     *     count is negative
     */
    public RdpAccountant step(double sampleRate, double noiseMultiplier, long count) {
        Phase phase = new Phase(sampleRate, noiseMultiplier, count);
        if (count == 0) {
            return this;
        }
        int last = phases.size() - 1;
        if (last >= 0 && phases.get(last).sampleRate() == sampleRate
                && phases.get(last).noiseMultiplier() == noiseMultiplier) {
            phases.set(last, new Phase(sampleRate, noiseMultiplier, Math.addExact(phases.get(last).steps(), count)));
        } else {
            phases.add(phase);
        }
        return this;
    }

    /** The phases recorded so far, oldest first. */
    public List<Phase> phases() {
        return List.copyOf(phases);
    }

    /** Total number of steps over all phases. */
    public long steps() {
        return phases.stream().mapToLong(Phase::steps).sum();
    }

    /** RDP of the whole history at each of {@code orders}: the sum over phases. */
    public double[] rdp(double[] orders) {
        checkOrders(orders);
        double[] total = new double[orders.length];
        for (Phase p : phases) {
            double[] r = rdp(p.sampleRate(), p.noiseMultiplier(), p.steps(), orders);
            for (int k = 0; k < total.length; k++) {
                total[k] += r[k];
            }
        }
        return total;
    }

    /** (epsilon, delta) of the whole history over Opacus's default order grid. */
    public PrivacySpent privacySpent(double delta) {
        return privacySpent(delta, DEFAULT_ORDERS);
    }

    /** (epsilon, delta) of the whole history over the given orders (each > 1). */
    public PrivacySpent privacySpent(double delta, double[] orders) {
        checkDelta(delta);
        return privacySpent(orders, rdp(orders), delta);
    }

    /** Epsilon of the whole history at {@code delta}, over Opacus's default order grid. */
    public double epsilon(double delta) {
        return privacySpent(delta).epsilon();
    }

    /** A copy of Opacus's default order grid (151 orders from 1.1 to 63). */
    public static double[] defaultOrders() {
        return DEFAULT_ORDERS.clone();
    }

    /**
     * RDP of {@code steps} steps of the Sampled Gaussian Mechanism at each order; entries may be
     * +infinity.
     */
    public static double[] rdp(double sampleRate, double noiseMultiplier, long steps, double[] orders) {
        checkSampleRate(sampleRate);
        checkNoiseMultiplier(noiseMultiplier);
        checkSteps(steps);
        checkOrders(orders);
        double[] out = new double[orders.length];
        for (int k = 0; k < orders.length; k++) {
            out[k] = SampledGaussianRdp.rdp(sampleRate, noiseMultiplier, orders[k]) * steps;
        }
        return out;
    }

    /** (epsilon, delta) after {@code steps} steps at (q, z), over Opacus's default order grid. */
    public static PrivacySpent privacySpent(double sampleRate, double noiseMultiplier, long steps, double delta) {
        checkDelta(delta);
        return privacySpent(DEFAULT_ORDERS, rdp(sampleRate, noiseMultiplier, steps, DEFAULT_ORDERS), delta);
    }

    /** Epsilon after {@code steps} steps at (q, z), over Opacus's default order grid. */
    public static double epsilon(double sampleRate, double noiseMultiplier, long steps, double delta) {
        return privacySpent(sampleRate, noiseMultiplier, steps, delta).epsilon();
    }

    /**
     * The smallest noise multiplier found by Opacus's search whose epsilon after {@code steps}
     * steps at sampling rate q stays at or below {@code targetEpsilon}; see {@link NoiseCalibration}.
     *
     * @throws IllegalArgumentException for invalid arguments, or when even z = 10^6 exceeds the
     *     target
     */
    public static double noiseMultiplier(double targetEpsilon, double delta, double sampleRate, long steps) {
        return NoiseCalibration.noiseMultiplier(targetEpsilon, delta, sampleRate, steps);
    }

    /**
     * Converts RDP values at the given orders to (epsilon, delta): Balle et al. 2020, Thm 21,
     * minimised over the orders, with Opacus's NaN rules (NaN orders are skipped; if all are
     * NaN, epsilon is +infinity and the order NaN; ties go to the first order).
     */
    public static PrivacySpent privacySpent(double[] orders, double[] rdp, double delta) {
        checkOrders(orders);
        checkDelta(delta);
        if (rdp.length != orders.length) {
            throw new IllegalArgumentException("orders and rdp must have the same length, got " + orders.length
                    + " orders and " + rdp.length + " RDP values");
        }
        double logDelta = Math.log(delta);
        int best = -1;
        double bestEps = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double eps = rdp[k] - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
            if (!Double.isNaN(eps) && (best < 0 || eps < bestEps)) {
                best = k;
                bestEps = eps;
            }
        }
        if (best < 0) {
            return new PrivacySpent(Double.POSITIVE_INFINITY, delta, Double.NaN, false);
        }
        return new PrivacySpent(bestEps, delta, orders[best], best == 0 || best == orders.length - 1);
    }

    static void checkSampleRate(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sample rate q must be in [0, 1] (the probability that a record, or a "
                    + "client, takes part in a step), got " + q);
        }
    }

    static void checkNoiseMultiplier(double z) {
        if (!(z > 0 && z < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("noise multiplier z must be positive and finite (noise std / L2 "
                    + "sensitivity; z = 0 adds no noise and gives no privacy), got " + z);
        }
    }

    static void checkSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
    }

    static void checkDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), typically below 1/n for n records, got "
                    + delta);
        }
    }

    private static void checkOrders(double[] orders) {
        if (orders.length == 0) {
            throw new IllegalArgumentException("at least one RDP order is needed");
        }
        for (double a : orders) {
            if (!(a > 1)) {
                throw new IllegalArgumentException("RDP orders must be > 1, got " + a + " in " + Arrays.toString(orders));
            }
        }
    }

    private static double[] buildDefaultOrders() {
        double[] orders = new double[99 + 52];
        int k = 0;
        for (int x = 1; x < 100; x++) {
            orders[k++] = 1 + x / 10.0; // same expression as Opacus, same doubles
        }
        for (int a = 12; a < 64; a++) {
            orders[k++] = a;
        }
        return orders;
    }
}
