package io.floe.core.drift;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * SCAFFOLD's client-side control update, option II of Karimireddy et al., ICML 2020, Algorithm 1,
 * line 12: after K local steps {@code y <- y - eta_l (g_i(y) - c_i + c)} from {@code y = x},
 * <pre>
 *   c_i+      = c_i - c + (x - y_i) / (K eta_l)
 *   Delta c_i = c_i+ - c_i
 * </pre>
 * Option II reuses the local steps (it is the mean corrected gradient) instead of an extra pass over
 * the data as option I does. Kept in core so the trainer and the tests share one implementation.
 */
public final class ScaffoldClient {
    private ScaffoldClient() {
    }

    /** The client's new control variate c_i+ and the delta Delta c_i it sends. */
    public record ControlUpdate(ModelWeights control, ModelWeights controlDelta) {
        public ControlUpdate {
            Objects.requireNonNull(control, "control");
            Objects.requireNonNull(controlDelta, "controlDelta");
        }
    }

    /**
     * @param ci the client's control variate c_i before the round
     * @param c the server control variate the round started with
     * @param x the global model the round started with
     * @param y the client's model after its local steps
     * @param localSteps K >= 1
     * @param localLr eta_l > 0
     */
    public static ControlUpdate controlUpdate(ModelWeights ci, ModelWeights c, ModelWeights x, ModelWeights y,
            int localSteps, double localLr) {
        Objects.requireNonNull(ci, "ci");
        Objects.requireNonNull(c, "c");
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (localSteps < 1) {
            throw new IllegalArgumentException("SCAFFOLD needs localSteps K >= 1, was " + localSteps);
        }
        if (!(localLr > 0) || !Double.isFinite(localLr)) {
            throw new IllegalArgumentException("SCAFFOLD needs the local learning rate eta_l > 0, was " + localLr);
        }
        for (ModelWeights w : List.of(c, x, y)) {
            if (!ci.sameLayout(w)) {
                throw new IllegalArgumentException("SCAFFOLD: c_i, c, x and y must share a layout; "
                        + ci.describe() + " vs " + w.describe());
            }
        }
        double inv = 1.0 / (localSteps * localLr);
        List<Tensor> plus = new ArrayList<>(ci.tensorCount());
        List<Tensor> delta = new ArrayList<>(ci.tensorCount());
        for (int t = 0; t < ci.tensorCount(); t++) {
            float[] a = ci.tensors().get(t).values();
            float[] b = c.tensors().get(t).values();
            float[] xv = x.tensors().get(t).values();
            float[] yv = y.tensors().get(t).values();
            float[] p = new float[a.length];
            float[] d = new float[a.length];
            for (int j = 0; j < a.length; j++) {
                double cPlus = (double) a[j] - b[j] + ((double) xv[j] - yv[j]) * inv;
                p[j] = (float) cPlus;
                // c_i+ - c_i = (x - y)/(K eta_l) - c, computed without the rounding of c_i+
                d[j] = (float) (cPlus - a[j]);
            }
            plus.add(ci.tensors().get(t).withValues(p));
            delta.add(ci.tensors().get(t).withValues(d));
        }
        return new ControlUpdate(new ModelWeights(plus), new ModelWeights(delta));
    }
}
