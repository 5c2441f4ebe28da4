package io.floe.core.server;

import io.floe.core.anomaly.NormScores;
import io.floe.core.privacy.CentralDp;
import io.floe.core.privacy.NoiseSeed;
import io.floe.core.privacy.PrivacyLedger;
import io.floe.core.privacy.PrivacySpent;
import io.floe.schema.ModelUpdate;
import io.floe.schema.PrivacyLedgerEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Central DP on a chunked model (issue 13, item 3): DP-FedAvg as {@link io.floe.core.privacy.DpFedAvg}
 * defines it (McMahan et al., ICLR 2018: each delta clipped to C, uniform weights, Gaussian noise of
 * standard deviation {@code z_sum C} on the sum, the fixed denominator clientsPerRound; C adapted by
 * Andrew et al. 2021 when configured), decided by the coordinator from the updates' norms (the
 * chunks' squared sums, {@link NormScores}) without holding any update:
 * <ul>
 *   <li>every update is folded with weight 1; one over the bound is then re-folded as
 *       {@code x / (||x|| / C)} (each quotient rounded to float32 on its own, as FedNova's
 *       divisor; the chunk is read back from Kafka to take the unclipped one out);
 *   <li>each chunk draws its own noise from {@link NoiseSeed#of(byte[], String, long, int)}
 *       (secret, model, version, chunk): a version replays bit for bit, at any parallelism;
 *   <li>the ledger is the dense path's ({@link CentralDpStep}): the same RDP accounting at q = 1,
 *       the same exhaustion rule, the same report entry, and no per-update scores in the report.
 * </ul>
 * The noisy mean differs from the dense path's in its rounding (one float32 rounding of
 * {@code w + eta (S + noise) / K} per coordinate) and in the noise values (drawn per chunk).
 */
public final class ChunkedDp {
    private ChunkedDp() {
    }

    /** What the round does: publish privately, or stop because the budget is spent. */
    public sealed interface Plan permits Private, Exhausted {
    }

    /**
     * A private round: re-fold each update of {@code divisors} as x / divisor, add noise of
     * {@code noiseStd} per coordinate from {@code chunkSeed(i)}, divide by {@code denominator}.
     */
    public record Private(Map<String, Double> divisors, double noiseStd, int denominator, long version, PrivacyLedger after,
            PrivacyLedgerEntry entry, byte[] secret, String modelId) implements Plan {
        /** The seed of chunk {@code index}'s noise. */
        public long chunkSeed(int index) {
            return NoiseSeed.of(secret, modelId, version, index);
        }
    }

    /** The budget would be exceeded: nothing is published but the report, the ledger is marked exhausted. */
    public record Exhausted(String note, PrivacyLedger after, PrivacyLedgerEntry entry) implements Plan {
    }

    /**
     * @param norms the round's members' norms (squared)
     * @param members their headers (for each client's own dp_epsilon metric in the entry)
     */
    public static Plan plan(CentralDp dp, PrivacyLedger before, byte[] secret, String modelId, long nextVersion,
            List<NormScores.Norm> norms, List<ModelUpdate> members) {
        PrivacySpent spent = before.spentAfterRound(CentralDpStep.SAMPLE_RATE, dp.noiseMultiplier(), dp.delta());
        if (dp.targetEpsilon() > 0 && spent.epsilon() > dp.targetEpsilon()) {
            return new Exhausted(CentralDpStep.exhaustedNote(dp, nextVersion, spent), before.markExhausted(),
                    entry(dp, before.clipNorm(), before.rounds(), before.spent(dp.delta()), true, members));
        }
        double clip = before.clipNorm();
        Map<String, Double> divisors = new LinkedHashMap<>();
        int unclipped = 0;
        for (NormScores.Norm n : norms.stream().sorted(java.util.Comparator.comparing(NormScores.Norm::updateId)).toList()) {
            double norm = Math.sqrt(n.squaredNorm());
            if (norm > clip) {
                divisors.put(n.updateId(), norm / clip);
            } else {
                unclipped++;
            }
        }
        double next = clip;
        if (dp.adaptive()) {
            // Andrew et al. 2021, Algorithm 1, with the count's noise from the version's own seed
            SplittableRandom rng = new SplittableRandom(NoiseSeed.of(secret, modelId + "#count", nextVersion));
            double noisyShare = (unclipped + dp.countStddev() * rng.nextGaussian()) / dp.denominator();
            next = clip * Math.exp(-dp.clipLearningRate() * (noisyShare - dp.targetQuantile()));
        }
        PrivacyLedger after = before.afterRound(CentralDpStep.SAMPLE_RATE, dp.noiseMultiplier(), next);
        return new Private(divisors, dp.sumNoiseMultiplier() * clip, dp.denominator(), nextVersion, after,
                entry(dp, clip, after.rounds(), spent, false, members), secret.clone(), modelId);
    }

    private static PrivacyLedgerEntry entry(CentralDp dp, double clipNorm, long rounds, PrivacySpent spent, boolean exhausted,
            List<ModelUpdate> members) {
        Map<String, Double> clientEps = new TreeMap<>();
        for (ModelUpdate u : members) {
            Double e = u.getMetrics().get("dp_epsilon");
            if (e != null && Double.isFinite(e)) {
                clientEps.put(u.getClientId(), e);
            }
        }
        return CentralDpStep.ledgerEntry(dp, clipNorm, rounds, spent, exhausted, clientEps);
    }
}
