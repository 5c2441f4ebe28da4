package io.floe.core.server;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.async.FedBuffAggregation;
import io.floe.core.async.ParticipationIntervals;
import io.floe.core.async.StalenessFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FedBuff's server step on a full buffer (Nguyen et al., AISTATS 2022, Algorithm 1, lines
 * 10-14): each buffered delta is weighted by its staleness, {@code s(tau_k) Delta_k}, and the
 * buffer is then aggregated exactly as a synchronous round is (the inner step, a {@link ServerRound}): anomaly
 * scoring, the model's rule (FedAvg, median, trimmed mean, Krum...), and the server learning
 * rate, {@code x <- x + eta_g * rule(s(tau_k) Delta_k)}.
 *
 * <p>With rule fedavg and equal example counts this is the paper's
 * {@code x + eta_g / K * sum_k s(tau_k) Delta_k} ({@link FedBuffAggregation}); with unequal
 * counts FedAvg's {@code n_k / n} replace the paper's uniform {@code 1 / K}, as in the
 * synchronous rounds. Anomaly scores are computed on the staleness-weighted deltas. A server
 * optimizer other than fedavg (FedBuff with FedAdam, say) steps on the buffer's aggregate.
 *
 * <p>With {@code participationWeighting interval} each delta is further scaled by its client's
 * correction {@code c_i} ({@link ParticipationIntervals}), {@code s(tau_k) c_{i(k)} Delta_k}, so that
 * fast clients do not dominate the buffer; the corrections go into the report's
 * {@code participationWeights}. Without corrections every {@code c_i} is 1.
 *
 * <p>A decorator of the server step: it weights the buffer's deltas and hands them to the inner
 * {@link AggregationStep}.
 */
public final class FedBuffStep implements AggregationStep {
    private final AggregationStep inner;

    /** FedBuff around the plain server step. */
    public FedBuffStep() {
        this(new ServerRound());
    }

    /** @param inner the step that aggregates the weighted buffer */
    public FedBuffStep(AggregationStep inner) {
        this.inner = inner;
    }

    /**
     * Closes the buffer {@code input.updates()}: the K buffered, validated updates (base versions at
     * most current's), applied to {@code input.current()}, the newest version.
     * {@link RoundInput#participationCorrections()}: client id -> {@code c_i}
     * ({@link ParticipationIntervals#recordStep}); empty for none (every {@code c_i = 1}), else it
     * must name every buffered client.
     *
     * @throws IllegalArgumentException for an update newer than the current version, or a missing or
     *     non-positive correction
     */
    @Override
    public ClosedRound close(RoundInput input) {
        StalenessFunction s = input.settings().async().staleness();
        Map<String, Double> corrections = input.participationCorrections();
        long currentVersion = input.current().getVersion();
        List<ClientUpdate> weighted = new ArrayList<>(input.updates().size());
        for (ClientUpdate u : input.updates()) {
            long tau = currentVersion - u.baseVersion();
            if (tau < 0) {
                throw new IllegalArgumentException("update " + u.updateId() + " is from version " + u.baseVersion()
                        + ", newer than the current " + currentVersion);
            }
            double c = correction(corrections, u);
            weighted.add(new ClientUpdate(u.updateId(), u.clientId(), u.baseVersion(), u.numExamples(), u.localSteps(),
                    u.delta().scaled((float) (s.weight(tau) * c)), u.metrics()));
        }
        ClosedRound closed = inner.close(input.withUpdates(weighted));
        if (!corrections.isEmpty()) {
            closed.report().setParticipationWeights(new TreeMap<>(corrections));
        }
        return closed;
    }

    private static double correction(Map<String, Double> corrections, ClientUpdate u) {
        if (corrections.isEmpty()) {
            return 1.0;
        }
        Double c = corrections.get(u.clientId());
        if (c == null || !(c > 0) || !Double.isFinite(c)) {
            throw new IllegalArgumentException("participation correction of client " + u.clientId()
                    + " must be positive and finite, was " + c);
        }
        return c;
    }
}
