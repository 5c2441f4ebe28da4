package io.floe.core.privacy;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One round of DP-FedAvg (McMahan et al., ICLR 2018, Algorithm 1 with uniform client weights):
 * {@code Δ = (Σ_k Δ_k · min(1, C / ‖Δ_k‖) + N(0, (z_sum C)^2 I)) / K} with the fixed
 * denominator K = clientsPerRound. Each client moves the sum by at most C, so the Gaussian noise
 * gives each round a sensitivity-C Gaussian mechanism.
 *
 * <p>Noise comes from a {@link SplittableRandom} seeded by {@link NoiseSeed}: the same secret,
 * model and version give the same noise, so an auditor with the secret replays any version.
 * Clients are processed in updateId order.
 */
public final class DpFedAvg {
    private DpFedAvg() {
    }

    /**
     * @param delta the noisy mean delta
     * @param clipFactors the scale applied to each update, by updateId
     * @param norms each update's norm before clipping, by updateId
     * @param unclipped how many updates were within the bound (for adaptive clipping)
     * @param nextClipNorm the bound for the next round (equal to this round's when not adaptive)
     */
    public record Result(ModelWeights delta, Map<String, Double> clipFactors, Map<String, Double> norms, int unclipped,
            double nextClipNorm) {
    }

    public static Result aggregate(List<ClientUpdate> updates, ModelWeights layout, CentralDp dp, double clipNorm, long seed) {
        List<ClientUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(java.util.Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        Map<String, Double> factors = new LinkedHashMap<>();
        Map<String, Double> norms = new LinkedHashMap<>();
        List<double[]> sums = new ArrayList<>();
        for (Tensor t : layout.tensors()) {
            sums.add(new double[t.size()]);
        }
        int unclipped = 0;
        for (ClientUpdate u : sorted) {
            double norm = u.delta().l2Norm();
            double factor = norm > clipNorm ? clipNorm / norm : 1.0;
            if (norm <= clipNorm) {
                unclipped++;
            }
            factors.put(u.updateId(), factor);
            norms.put(u.updateId(), norm);
            for (int t = 0; t < sums.size(); t++) {
                double[] acc = sums.get(t);
                float[] v = u.delta().tensors().get(t).values();
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += factor * v[j];
                }
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double std = dp.sumNoiseMultiplier() * clipNorm;
        List<Tensor> out = new ArrayList<>();
        for (int t = 0; t < sums.size(); t++) {
            double[] acc = sums.get(t);
            float[] r = new float[acc.length];
            for (int j = 0; j < acc.length; j++) {
                r[j] = (float) ((acc[j] + std * rng.nextGaussian()) / dp.denominator());
            }
            out.add(layout.tensors().get(t).withValues(r));
        }
        double next = clipNorm;
        if (dp.adaptive()) {
            // Andrew et al. 2021, Algorithm 1: b~ = (Σ 1[‖Δ‖ <= C] + N(0, σ_b²)) / K; C <- C exp(-η (b~ - γ)).
            double noisyShare = (unclipped + dp.countStddev() * rng.nextGaussian()) / dp.denominator();
            next = clipNorm * Math.exp(-dp.clipLearningRate() * (noisyShare - dp.targetQuantile()));
        }
        return new Result(new ModelWeights(out), factors, norms, unclipped, next);
    }
}
