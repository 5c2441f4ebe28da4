package io.floe.trainer.attack;

import java.util.Objects;

/**
 * The arithmetic of "A Little Is Enough" (ALIE; Baruch, Baruch and Goldberg, NeurIPS 2019,
 * "A Little Is Enough: Circumventing Defenses For Distributed Learning").
 *
 * <p>The {@code f} colluding attackers estimate the coordinate-wise mean {@code mu} and standard
 * deviation {@code sigma} of honest updates from their own honest updates, then all send
 * {@code mu - z_max * sigma}. Every coordinate stays within {@code z_max} deviations of the mean,
 * so the update looks ordinary to median, trimmed mean and Krum, yet all coordinates are pushed
 * the same way and the shift adds up over rounds. {@code z_max} is the largest shift for which,
 * if honest coordinates are normally distributed, {@code s} honest clients are still expected to
 * lie farther from the mean than the attackers, so that the {@code f} attackers and those
 * {@code s} form a majority on the attackers' side:
 * <pre>
 *   s     = floor(n / 2 + 1) - f          (honest supporters the attackers need)
 *   z_max = Phi^{-1}((n - s) / n)
 * </pre>
 * with {@code n} clients in all. For {@code n = 10, f = 3}: {@code s = 3}, {@code z_max =
 * Phi^{-1}(0.7) = 0.5244}.
 */
public final class LittleIsEnough {
    private LittleIsEnough() {
    }

    /**
     * {@code s = floor(n/2 + 1) - f}, the honest clients the attackers need on their side.
     *
     * @throws IllegalArgumentException unless {@code 1 <= f < n}
     */
    public static int supportersNeeded(int clients, int attackers) {
        if (clients < 2 || attackers < 1 || attackers >= clients) {
            throw new IllegalArgumentException("ALIE needs 1 <= attackers < clients, got " + attackers
                    + " attackers of " + clients + " clients");
        }
        return clients / 2 + 1 - attackers;
    }

    /**
     * {@code z_max = Phi^{-1}((n - s) / n)} for {@code n} clients of which {@code f} attack.
     *
     * @throws IllegalArgumentException when {@code s < 1}: the attackers already hold a majority
     *     and the formula gives no finite bound (pass an explicit {@code z} instead)
     */
    public static double zMax(int clients, int attackers) {
        int s = supportersNeeded(clients, attackers);
        if (s < 1) {
            throw new IllegalArgumentException(attackers + " attackers of " + clients
                    + " clients are a majority: s = floor(n/2 + 1) - f = " + s
                    + " < 1 gives z_max = infinity; set alie:z=VALUE explicitly");
        }
        return StandardNormal.quantile((double) (clients - s) / clients);
    }

    /**
     * The malicious update {@code mu_j - z * sigma_j} for every coordinate {@code j}, computed in
     * double and rounded once to float.
     */
    public static float[] craft(float[] mean, float[] std, double z) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " deviations");
        }
        if (!Double.isFinite(z)) {
            throw new IllegalArgumentException("z must be finite, got " + z);
        }
        float[] out = new float[mean.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = (float) (mean[j] - z * std[j]);
        }
        return out;
    }

    /** {@link #craft(float[], float[], double)} from pooled statistics. */
    public static float[] craft(Collusion.Statistics pooled, double z) {
        return craft(pooled.mean(), pooled.std(), z);
    }
}
