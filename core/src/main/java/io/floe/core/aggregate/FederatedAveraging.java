package io.floe.core.aggregate;

import io.floe.core.kernel.WeightedSum;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Federated Averaging: the delta is the example-weighted mean of the client deltas,
 * {@code Δ = Σ_k (n_k / n) Δ_k} with {@code n = Σ_k n_k}.
 *
 * <p>McMahan, Moore, Ramage, Hampson, Agüera y Arcas, "Communication-Efficient Learning of Deep
 * Networks from Decentralized Data", AISTATS 2017, Algorithm 1 (server update
 * {@code w_{t+1} ← Σ_k (n_k/n) w^k_{t+1}}, which equals {@code w_t + Σ_k (n_k/n) Δ_k} because the
 * weights sum to one).
 *
 * <p>Sums run in double in updateId order, so the result is bit-for-bit the same for the same
 * set of updates whatever order they arrived in.
 */
public final class FederatedAveraging implements AggregationRule {
    public static final String NAME = "fedavg";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public AggregationResult aggregate(List<ClientUpdate> updates) {
        return aggregate(updates, null);
    }

    /**
     * As {@link #aggregate(List)}, and each update's squared L2 norm (all tensors) into
     * {@code squares} (in updateId order; null: none) from the same pass over the deltas
     * ({@link WeightedSum}): a FedAvg round's norm scores from its fold (issue 13).
     */
    public AggregationResult aggregate(List<ClientUpdate> updates, double[] squares) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("FedAvg needs at least one update");
        }
        List<ClientUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId));
        double total = 0;
        for (ClientUpdate u : sorted) {
            total += u.numExamples();
        }
        Map<String, Double> weights = new HashMap<>();
        double[] w = new double[sorted.size()];
        for (int k = 0; k < sorted.size(); k++) {
            w[k] = sorted.get(k).numExamples() / total;
            weights.put(sorted.get(k).updateId(), w[k]);
        }
        ModelWeights layout = sorted.get(0).delta();
        List<Tensor> out = new ArrayList<>(layout.tensorCount());
        for (int t = 0; t < layout.tensorCount(); t++) {
            Tensor first = layout.tensors().get(t);
            float[][] columns = new float[sorted.size()][];
            for (int k = 0; k < sorted.size(); k++) {
                columns[k] = sorted.get(k).delta().tensors().get(t).values();
            }
            float[] r = new float[first.size()];
            // each coordinate in double, k in updateId order
            WeightedSum.of(columns, w, r, squares);
            out.add(first.withValues(r));
        }
        return new AggregationResult(new ModelWeights(out), weights);
    }
}
