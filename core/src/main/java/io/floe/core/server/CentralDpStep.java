package io.floe.core.server;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.privacy.CentralDp;
import io.floe.core.privacy.NoiseSeed;
import io.floe.core.privacy.PrivacyLedger;
import io.floe.core.privacy.PrivacySpent;
import io.floe.schema.AggregationReport;
import io.floe.schema.PrivacyLedgerEntry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Central differential privacy as a decorator of the server step, as Flower's
 * {@code DifferentialPrivacyServerSideFixedClipping(strategy)} wraps a strategy: the inner
 * {@link ServerRound} aggregates by DP-FedAvg (McMahan et al., ICLR 2018: every update clipped to
 * C, a fixed denominator, Gaussian noise of standard deviation {@code z C}; C adapted by the
 * quantile rule of Andrew et al., NeurIPS 2021, when configured) instead of the model's rule, and
 * reports no per-update scores, which would publish un-noised facts about single clients.
 *
 * <p>Before the round the step asks the {@link PrivacyLedger} what epsilon (Rényi DP accounting,
 * Mironov 2017, at the configured delta) one more round would bring: above the target it publishes
 * nothing but a report, returns the exhausted ledger, and the model stops. Otherwise it runs the
 * round with noise seeded by {@link NoiseSeed#of(byte[], String, long)} (secret, model, version), so
 * a replay with the secret reproduces the bytes, and attaches the ledger after the round and its
 * entry in the report.
 *
 * <p>Accounting uses q = 1 ({@link #SAMPLE_RATE}): the server does not select clients by Poisson
 * sampling (yet), so amplification by sampling does not apply.
 */
public final class CentralDpStep implements AggregationStep {
    /** The sampling rate q the accountant is given: every round counts in full. */
    public static final double SAMPLE_RATE = 1.0;

    private final ServerRound inner;
    private final CentralDp dp;
    private final PrivacyLedger before;
    private final byte[] noiseSecret;

    /**
     * @param inner the server step whose aggregation DP-FedAvg replaces
     * @param dp the model's central DP settings
     * @param before the model's ledger before this round
     * @param noiseSecret the secret the noise seed is derived from
     */
    public CentralDpStep(ServerRound inner, CentralDp dp, PrivacyLedger before, byte[] noiseSecret) {
        this.inner = inner;
        this.dp = dp;
        this.before = before;
        this.noiseSecret = noiseSecret.clone();
    }

    /** DP-FedAvg around the plain server step. */
    public CentralDpStep(CentralDp dp, PrivacyLedger before, byte[] noiseSecret) {
        this(new ServerRound(), dp, before, noiseSecret);
    }

    @Override
    public ClosedRound close(RoundInput input) {
        List<ClientUpdate> sorted = ServerRound.inAggregationOrder(input.updates());
        long version = input.nextVersion();
        PrivacySpent spent = before.spentAfterRound(SAMPLE_RATE, dp.noiseMultiplier(), dp.delta());
        if (dp.targetEpsilon() > 0 && spent.epsilon() > dp.targetEpsilon()) {
            PrivacyLedger exhausted = before.markExhausted();
            PrivacySpent sofar = before.spent(dp.delta());
            String note = exhaustedNote(dp, version, spent);
            AggregationReport report = ReportBuilder.budgetExhausted(input, note,
                    entry(before.clipNorm(), before.rounds(), sofar, true, sorted));
            return new ClosedRound(null, report, null, exhausted, input.optimizerStateBefore());
        }
        long seed = NoiseSeed.of(noiseSecret, input.current().getModelId(), version);
        ServerRound.Aggregation privately = (updates, in) ->
                RoundAggregation.runPrivately(updates, in.currentWeights(), dp, before.clipNorm(), seed);
        ClosedRound closed = inner.withAggregation(privately, false).close(input);
        PrivacyLedger after = before.afterRound(SAMPLE_RATE, dp.noiseMultiplier(), closed.outcome().dp().nextClipNorm());
        closed.report().setPrivacy(entry(before.clipNorm(), after.rounds(), spent, false, sorted));
        return new ClosedRound(closed.model(), closed.report(), closed.outcome(), after, closed.optimizerState());
    }

    /** The report's note when version {@code version} would bring epsilon over the target. */
    static String exhaustedNote(CentralDp dp, long version, PrivacySpent spent) {
        return String.format(Locale.ROOT, "privacy budget exhausted: version %d would bring epsilon to %.4f "
                + "> target %.4f at delta %.1e; no further versions of this model are published", version,
                spent.epsilon(), dp.targetEpsilon(), dp.delta());
    }

    /** The report's ledger entry; each client's own epsilon (local DP-SGD) from its update's {@code dp_epsilon} metric. */
    private PrivacyLedgerEntry entry(double clipNorm, long rounds, PrivacySpent spent, boolean exhausted, List<ClientUpdate> updates) {
        Map<String, Double> clientEps = new TreeMap<>();
        for (ClientUpdate u : updates) {
            Double e = u.metrics().get("dp_epsilon");
            if (e != null && Double.isFinite(e)) {
                clientEps.put(u.clientId(), e);
            }
        }
        return ledgerEntry(dp, clipNorm, rounds, spent, exhausted, clientEps);
    }

    /** A ledger entry of {@code dp}'s mechanism at q = {@link #SAMPLE_RATE}. */
    static PrivacyLedgerEntry ledgerEntry(CentralDp dp, double clipNorm, long rounds, PrivacySpent spent, boolean exhausted,
            Map<String, Double> clientEpsilons) {
        return PrivacyLedgerEntry.newBuilder()
                .setMechanism(dp.mechanism())
                .setNoiseMultiplier(dp.noiseMultiplier())
                .setClipNorm(clipNorm)
                .setSampleRate(SAMPLE_RATE)
                .setRounds(rounds)
                .setEpsilon(spent.epsilon())
                .setDelta(dp.delta())
                .setBestOrder(spent.bestOrder())
                .setTargetEpsilon(dp.targetEpsilon())
                .setExhausted(exhausted)
                .setClientEpsilons(clientEpsilons)
                .build();
    }
}
