package io.floe.core.drift;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * SCAFFOLD's server step: Karimireddy, Kale, Mohri, Reddi, Stich, Suresh, "SCAFFOLD: Stochastic
 * Controlled Averaging for Federated Learning", ICML 2020, Algorithm 1, lines 16-17:
 * <pre>
 *   (Delta x, Delta c) = 1/|S| sum_{i in S} (Delta y_i, Delta c_i)
 *   x <- x + eta_g Delta x
 *   c <- c + (|S| / N) Delta c
 * </pre>
 * The server control variate c is scaled by {@code |S|/N} because only the sampled clients changed
 * their c_i, and c is meant to stay the mean of all N of them. Both x and c are plain
 * {@link ModelWeights}, so a job keeps c next to the model; it starts at zero
 * ({@link #initialControl}). Sums run in double in updateId order.
 */
public final class ScaffoldServer {
    private ScaffoldServer() {
    }

    /** The server's model x and control variate c after a round. */
    public record Step(ModelWeights weights, ModelWeights control) {
        public Step {
            Objects.requireNonNull(weights, "weights");
            Objects.requireNonNull(control, "control");
        }
    }

    /** c = 0 with the model's layout (Algorithm 1 initialises every control variate to zero). */
    public static ModelWeights initialControl(ModelWeights model) {
        List<Tensor> out = new ArrayList<>(model.tensorCount());
        for (Tensor t : model.tensors()) {
            out.add(Tensor.zeros(t.name(), t.shape()));
        }
        return new ModelWeights(out);
    }

    /**
     * @param x the global model
     * @param c the server control variate, same layout
     * @param updates the |S| >= 1 sampled clients' (Delta y_i, Delta c_i)
     * @param totalClients N, all clients that hold a c_i (>= |S|)
     * @param globalLr eta_g > 0
     */
    public static Step step(ModelWeights x, ModelWeights c, List<ScaffoldUpdate> updates, int totalClients,
            double globalLr) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(c, "c");
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("SCAFFOLD needs at least one client update");
        }
        if (totalClients < updates.size()) {
            throw new IllegalArgumentException("SCAFFOLD: totalClients N = " + totalClients
                    + " is smaller than the " + updates.size() + " sampled clients |S|");
        }
        if (!(globalLr > 0) || !Double.isFinite(globalLr)) {
            throw new IllegalArgumentException("SCAFFOLD needs the global learning rate eta_g > 0, was " + globalLr);
        }
        if (!x.sameLayout(c)) {
            throw new IllegalArgumentException("SCAFFOLD: control variate " + c.describe()
                    + " differs in layout from the model " + x.describe());
        }
        List<ScaffoldUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(Comparator.comparing(ScaffoldUpdate::updateId));
        for (ScaffoldUpdate u : sorted) {
            if (!u.deltaY().sameLayout(x)) {
                throw new IllegalArgumentException("SCAFFOLD update " + u.updateId() + " has layout "
                        + u.deltaY().describe() + ", the model " + x.describe());
            }
        }
        int s = sorted.size();
        // x + eta_g / |S| sum Delta y_i and c + (|S|/N)(1/|S|) sum Delta c_i = c + 1/N sum Delta c_i
        ModelWeights newX = addScaledSum(x, sorted, true, globalLr / s);
        ModelWeights newC = addScaledSum(c, sorted, false, 1.0 / totalClients);
        return new Step(newX, newC);
    }

    private static ModelWeights addScaledSum(ModelWeights base, List<ScaffoldUpdate> sorted, boolean modelDelta,
            double scale) {
        List<Tensor> out = new ArrayList<>(base.tensorCount());
        for (int t = 0; t < base.tensorCount(); t++) {
            float[] b = base.tensors().get(t).values();
            double[] acc = new double[b.length];
            for (ScaffoldUpdate u : sorted) {
                float[] v = (modelDelta ? u.deltaY() : u.deltaC()).tensors().get(t).values();
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += v[j];
                }
            }
            float[] r = new float[b.length];
            for (int j = 0; j < b.length; j++) {
                r[j] = (float) (b[j] + scale * acc[j]);
            }
            out.add(base.tensors().get(t).withValues(r));
        }
        return new ModelWeights(out);
    }
}
