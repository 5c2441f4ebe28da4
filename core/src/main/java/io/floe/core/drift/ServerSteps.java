package io.floe.core.drift;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The coordinate loops behind {@link ServerOptimizer}. Each coordinate is computed in double from
 * the stored float32 values and rounded to float once, so restoring a stored state changes nothing.
 */
final class ServerSteps {
    private ServerSteps() {
    }

    /** The three second-moment rules of Reddi et al. (ICLR 2021), Algorithm 2. */
    enum SecondMoment {
        ADAGRAD {
            @Override
            double next(double v, double d2, double beta2) {
                return v + d2;
            }
        },
        ADAM {
            @Override
            double next(double v, double d2, double beta2) {
                return beta2 * v + (1 - beta2) * d2;
            }
        },
        YOGI {
            @Override
            double next(double v, double d2, double beta2) {
                return v - (1 - beta2) * d2 * Math.signum(v - d2);
            }
        };

        abstract double next(double v, double d2, double beta2);
    }

    static void requirePositive(String optimizer, String key, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(optimizer + " needs " + key + " > 0, was " + value);
        }
    }

    static void requireDecay(String optimizer, String key, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(optimizer + " needs " + key + " in [0, 1), was " + value);
        }
    }

    /** m = 0, v = tau^2 (Reddi et al., Algorithm 2: {@code v_{-1} >= tau^2}). */
    static OptimizerState adaptiveInitialState(ModelWeights model, double tau) {
        return OptimizerState.filled(model, true, 0f, true, (float) (tau * tau));
    }

    static ServerStep sgd(String name, ModelWeights current, ModelWeights delta, OptimizerState state, double eta) {
        check(name, current, delta, state);
        state.requireTensorCount(0, name);
        List<Tensor> x = new ArrayList<>(current.tensorCount());
        for (int t = 0; t < current.tensorCount(); t++) {
            float[] w = current.tensors().get(t).values();
            float[] d = delta.tensors().get(t).values();
            float[] r = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                r[j] = (float) (w[j] + eta * d[j]);
            }
            x.add(current.tensors().get(t).withValues(r));
        }
        return new ServerStep(new ModelWeights(x), state);
    }

    static ServerStep heavyBall(String name, ModelWeights current, ModelWeights delta, OptimizerState state,
            double eta, double beta) {
        check(name, current, delta, state);
        state.requireTensorCount(current.tensorCount(), name);
        List<Tensor> x = new ArrayList<>(current.tensorCount());
        List<Tensor> ms = new ArrayList<>(current.tensorCount());
        for (int t = 0; t < current.tensorCount(); t++) {
            Tensor param = current.tensors().get(t);
            Tensor mOld = state.moment(OptimizerState.FIRST_MOMENT, param, name);
            float[] w = param.values();
            float[] d = delta.tensors().get(t).values();
            float[] m0 = mOld.values();
            float[] r = new float[w.length];
            float[] m1 = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                double m = beta * m0[j] + d[j];
                m1[j] = (float) m;
                r[j] = (float) (w[j] + eta * m);
            }
            x.add(param.withValues(r));
            ms.add(mOld.withValues(m1));
        }
        return new ServerStep(new ModelWeights(x), OptimizerState.of(ms));
    }

    static ServerStep adaptive(String name, ModelWeights current, ModelWeights delta, OptimizerState state,
            double eta, double beta1, double beta2, double tau, SecondMoment rule) {
        check(name, current, delta, state);
        int n = current.tensorCount();
        state.requireTensorCount(2 * n, name);
        List<Tensor> x = new ArrayList<>(n);
        List<Tensor> ms = new ArrayList<>(n);
        List<Tensor> vs = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            Tensor param = current.tensors().get(t);
            Tensor mOld = state.moment(OptimizerState.FIRST_MOMENT, param, name);
            Tensor vOld = state.moment(OptimizerState.SECOND_MOMENT, param, name);
            float[] w = param.values();
            float[] d = delta.tensors().get(t).values();
            float[] m0 = mOld.values();
            float[] v0 = vOld.values();
            float[] r = new float[w.length];
            float[] m1 = new float[w.length];
            float[] v1 = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                double dj = d[j];
                double m = beta1 * m0[j] + (1 - beta1) * dj;
                double v = rule.next(v0[j], dj * dj, beta2);
                m1[j] = (float) m;
                v1[j] = (float) v;
                // all three rules keep v >= 0 from v >= 0 (Yogi: v > Delta^2 gives v_t > beta2 Delta^2);
                // the max only guards against a state that was written by something else
                r[j] = (float) (w[j] + eta * m / (Math.sqrt(Math.max(v, 0)) + tau));
            }
            x.add(param.withValues(r));
            ms.add(mOld.withValues(m1));
            vs.add(vOld.withValues(v1));
        }
        List<Tensor> moments = new ArrayList<>(2 * n);
        moments.addAll(ms);
        moments.addAll(vs);
        return new ServerStep(new ModelWeights(x), OptimizerState.of(moments));
    }

    private static void check(String name, ModelWeights current, ModelWeights delta, OptimizerState state) {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(delta, "delta");
        Objects.requireNonNull(state, "state");
        if (!current.sameLayout(delta)) {
            throw new IllegalArgumentException(name + ": the delta's layout " + delta.describe()
                    + " differs from the model's " + current.describe());
        }
        for (Tensor t : delta.tensors()) {
            if (!t.allFinite()) {
                throw new IllegalArgumentException(name + ": delta tensor '" + t.name()
                        + "' holds NaN or infinity; it would poison the optimizer state");
            }
        }
    }
}
