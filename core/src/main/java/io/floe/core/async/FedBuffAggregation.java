package io.floe.core.async;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * FedBuff's server step (Nguyen et al., "Federated Learning with Buffered Asynchronous
 * Aggregation", AISTATS 2022, Algorithm 1): once K updates are buffered, the server moves by
 * {@code eta_g / K * sum_k s(tau_k) Delta_k}, where {@code tau_k = current - baseVersion_k}.
 * Sums run in double, in updateId order, so the result does not depend on arrival order.
 */
public final class FedBuffAggregation {
    private FedBuffAggregation() {
    }

    /**
     * @param buffer the K buffered updates (baseVersion <= currentVersion)
     * @param currentVersion the version the server holds now
     * @param staleness s(tau)
     * @param serverLearningRate eta_g
     * @return the delta to add to the current model
     */
    public static ModelWeights delta(List<ClientUpdate> buffer, long currentVersion, StalenessFunction staleness,
            double serverLearningRate) {
        if (buffer.isEmpty()) {
            throw new IllegalArgumentException("FedBuff needs at least one buffered update");
        }
        if (!(serverLearningRate > 0)) {
            throw new IllegalArgumentException("the server learning rate must be positive, was " + serverLearningRate);
        }
        List<ClientUpdate> sorted = new ArrayList<>(buffer);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        double scale = serverLearningRate / sorted.size();
        ModelWeights layout = sorted.get(0).delta();
        List<double[]> sums = new ArrayList<>();
        for (Tensor t : layout.tensors()) {
            sums.add(new double[t.size()]);
        }
        for (ClientUpdate u : sorted) {
            double w = scale * staleness.weight(currentVersion - u.baseVersion());
            for (int t = 0; t < sums.size(); t++) {
                double[] acc = sums.get(t);
                float[] v = u.delta().tensors().get(t).values();
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += w * v[j];
                }
            }
        }
        List<Tensor> out = new ArrayList<>();
        for (int t = 0; t < sums.size(); t++) {
            double[] acc = sums.get(t);
            float[] r = new float[acc.length];
            for (int j = 0; j < acc.length; j++) {
                r[j] = (float) acc[j];
            }
            out.add(layout.tensors().get(t).withValues(r));
        }
        return new ModelWeights(out);
    }
}
