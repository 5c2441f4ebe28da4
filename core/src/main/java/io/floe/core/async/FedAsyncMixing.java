package io.floe.core.async;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * FedAsync's server update (Xie, Koyejo, Gupta, "Asynchronous Federated Optimization", 2019,
 * Algorithm 1, server thread): on receiving the client model {@code x_new} trained from version
 * {@code tau} versions back,
 * <pre>
 *   x_t = (1 - alpha_t) x_{t-1} + alpha_t x_new,   alpha_t = alpha * s(tau)
 * </pre>
 * The wire carries deltas, so {@code x_new = x_base + Delta} with {@code x_base} the weights of
 * the version the client trained from. Computed per coordinate in double.
 */
public final class FedAsyncMixing {
    private FedAsyncMixing() {
    }

    /**
     * @param current x_{t-1}, the newest version
     * @param base the version the client trained from (equal to {@code current} when tau = 0)
     * @param delta the client's delta from {@code base}
     * @param alphaT alpha * s(tau), in (0, 1]
     */
    public static ModelWeights mix(ModelWeights current, ModelWeights base, ModelWeights delta, double alphaT) {
        if (!(alphaT > 0 && alphaT <= 1)) {
            throw new IllegalArgumentException("the mixing weight alpha_t must be in (0, 1], was " + alphaT);
        }
        if (!current.sameLayout(base) || !current.sameLayout(delta)) {
            throw new IllegalArgumentException("current, base and delta must share one layout");
        }
        List<Tensor> out = new ArrayList<>(current.tensorCount());
        for (int t = 0; t < current.tensorCount(); t++) {
            float[] x = current.tensors().get(t).values();
            float[] b = base.tensors().get(t).values();
            float[] d = delta.tensors().get(t).values();
            float[] r = new float[x.length];
            for (int j = 0; j < r.length; j++) {
                r[j] = (float) ((1.0 - alphaT) * x[j] + alphaT * ((double) b[j] + d[j]));
            }
            out.add(current.tensors().get(t).withValues(r));
        }
        return new ModelWeights(out);
    }
}
