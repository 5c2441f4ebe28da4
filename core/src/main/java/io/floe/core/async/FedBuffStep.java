package io.floe.core.async;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.round.AggregationSettings;
import io.floe.core.round.RoundCloser;
import io.floe.core.tensor.ModelWeights;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FedBuff's server step on a full buffer (Nguyen et al., AISTATS 2022, Algorithm 1, lines
 * 10-14): each buffered delta is weighted by its staleness, {@code s(tau_k) Delta_k}, and the
 * buffer is then aggregated exactly as a synchronous round is ({@link RoundCloser}): anomaly
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
 */
public final class FedBuffStep {
    private FedBuffStep() {
    }

    /**
     * @param current the newest version, which the buffer's updates are applied to
     * @param buffer the K buffered, validated updates (base versions at most current's)
     * @param rejected updates rejected while the buffer filled, for the report
     */
    public static RoundCloser.ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationSettings settings, List<ClientUpdate> buffer, List<RejectedUpdate> rejected, Instant now) {
        return close(current, currentWeights, spec, settings, buffer, rejected, now, RoundCloser.DriftInputs.none());
    }

    /** As above, with the server optimizer's state from the previous step (FedBuff with FedAdam etc.). */
    public static RoundCloser.ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationSettings settings, List<ClientUpdate> buffer, List<RejectedUpdate> rejected, Instant now,
            RoundCloser.DriftInputs drift) {
        return close(current, currentWeights, spec, settings, buffer, rejected, now, drift, Map.of());
    }

    /**
     * As above, each delta also scaled by its client's participation correction.
     *
     * @param corrections client id -> {@code c_i} ({@link ParticipationIntervals#recordStep}); empty
     *     for none (every {@code c_i = 1}), else it must name every buffered client
     */
    public static RoundCloser.ClosedRound close(GlobalModel current, ModelWeights currentWeights, ModelSpec spec,
            AggregationSettings settings, List<ClientUpdate> buffer, List<RejectedUpdate> rejected, Instant now,
            RoundCloser.DriftInputs drift, Map<String, Double> corrections) {
        StalenessFunction s = settings.async().staleness();
        List<ClientUpdate> weighted = new ArrayList<>(buffer.size());
        for (ClientUpdate u : buffer) {
            long tau = current.getVersion() - u.baseVersion();
            if (tau < 0) {
                throw new IllegalArgumentException("update " + u.updateId() + " is from version " + u.baseVersion()
                        + ", newer than the current " + current.getVersion());
            }
            double c = correction(corrections, u);
            weighted.add(new ClientUpdate(u.updateId(), u.clientId(), u.baseVersion(), u.numExamples(), u.localSteps(),
                    u.delta().scaled((float) (s.weight(tau) * c)), u.metrics()));
        }
        RoundCloser.ClosedRound closed = RoundCloser.close(current, currentWeights, spec, settings, weighted, rejected, now, null, drift);
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
