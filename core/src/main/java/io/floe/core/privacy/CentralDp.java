package io.floe.core.privacy;

import io.floe.schema.AggregationConfig;
import java.util.Optional;

/**
 * A model's central differential privacy, as its AggregationConfig sets it (DP-FedAvg, McMahan,
 * Ramage, Talwar, Zhang, "Learning Differentially Private Recurrent Language Models", ICLR 2018):
 * each client delta clipped to L2 norm C, the clipped deltas summed, Gaussian noise of std
 * {@code z C} added to the sum, and the sum divided by the fixed denominator
 * {@code clientsPerRound} (not the number that arrived, which would leak).
 *
 * <p>With adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy, "Differentially Private
 * Learning with Adaptive Clipping", NeurIPS 2021) C follows a target quantile of the update
 * norms: {@code C <- C exp(-eta (b~ - gamma))} with {@code b~} the noisy share of unclipped
 * updates. The count query spends privacy too: the sum then uses noise multiplier
 * {@code z_sum = (z^-2 - (2 sigma_b)^-2)^-1/2} so that the round as a whole is a Gaussian
 * mechanism with multiplier z, which is what the ledger accounts.
 *
 * @param noiseMultiplier z, the round's overall noise multiplier (what the accountant uses)
 * @param clipNorm C, or the initial C when adaptive
 * @param adaptive whether C adapts
 * @param targetQuantile gamma
 * @param clipLearningRate eta
 * @param countStddev sigma_b
 * @param delta the ledger's delta
 * @param targetEpsilon the budget, 0 for none
 * @param denominator the fixed denominator (clientsPerRound)
 */
public record CentralDp(double noiseMultiplier, double clipNorm, boolean adaptive, double targetQuantile,
        double clipLearningRate, double countStddev, double delta, double targetEpsilon, int denominator) {

    public CentralDp {
        if (!(noiseMultiplier > 0) || !Double.isFinite(noiseMultiplier)) {
            throw new IllegalArgumentException("dpNoiseMultiplier must be positive, was " + noiseMultiplier);
        }
        if (!(clipNorm > 0) || !Double.isFinite(clipNorm)) {
            throw new IllegalArgumentException("dpClipNorm must be positive, was " + clipNorm);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("dpDelta must be in (0, 1), was " + delta);
        }
        if (!(targetEpsilon >= 0)) {
            throw new IllegalArgumentException("dpTargetEpsilon must be >= 0 (0 = no budget), was " + targetEpsilon);
        }
        if (adaptive) {
            if (!(targetQuantile > 0 && targetQuantile < 1) || !(clipLearningRate > 0)) {
                throw new IllegalArgumentException("adaptive clipping needs dpTargetQuantile in (0, 1) and dpClipLearningRate > 0");
            }
            if (!(2 * countStddev > noiseMultiplier)) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "adaptive clipping needs 2 sigma_b > z so that the sum keeps some noise budget (Andrew et al. 2021); "
                                + "sigma_b = %.3g, z = %.3g: raise dpClipCountStddev or clientsPerRound, or use fixed clipping",
                        countStddev, noiseMultiplier));
            }
        }
    }

    /** Empty when the config's noise multiplier is 0 (central DP off). */
    public static Optional<CentralDp> from(AggregationConfig c) {
        if (c.getDpNoiseMultiplier() == 0) {
            return Optional.empty();
        }
        double sigmaB = c.getDpClipCountStddev() > 0 ? c.getDpClipCountStddev() : c.getClientsPerRound() / 20.0;
        return Optional.of(new CentralDp(c.getDpNoiseMultiplier(), c.getDpClipNorm(), c.getDpAdaptiveClipping(),
                c.getDpTargetQuantile(), c.getDpClipLearningRate(), sigmaB, c.getDpDelta(), c.getDpTargetEpsilon(),
                c.getClientsPerRound()));
    }

    /** The noise multiplier of the sum: z itself, or z_sum when part of the budget goes to the adaptive count. */
    public double sumNoiseMultiplier() {
        return adaptive ? Math.pow(Math.pow(noiseMultiplier, -2) - Math.pow(2 * countStddev, -2), -0.5) : noiseMultiplier;
    }

    public String mechanism() {
        return adaptive ? "gaussian-adaptive-clipping" : "gaussian";
    }
}
