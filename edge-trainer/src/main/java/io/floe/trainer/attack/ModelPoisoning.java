package io.floe.trainer.attack;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Model poisoning: functions that turn an honest delta into the one an attacker sends. Each
 * returns new weights with the honest delta's tensor names and shapes, so the result passes the
 * layout checks of {@code UpdateValidator} and only the values give it away.
 *
 * <p>Random directions come from a {@link SplittableRandom} with the given seed, so a run can be
 * replayed bit for bit.
 */
public final class ModelPoisoning {
    private ModelPoisoning() {
    }

    /** {@code factor * delta}, each product computed in double and rounded once to float. */
    public static ModelWeights scaled(ModelWeights delta, double factor) {
        float[] v = flatten(delta);
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) (factor * v[j]);
        }
        return withValues(delta, v);
    }

    /**
     * A direction drawn from N(0, I) and rescaled to the L2 norm of {@code honest}: an update of
     * ordinary size that carries no information: the Gaussian Byzantine worker of Blanchard et al.
     * (NeurIPS 2017), "Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent",
     * with its norm matched to the honest one so that norm checks alone do not catch it.
     */
    public static ModelWeights gaussianOfNorm(ModelWeights honest, long seed) {
        double norm = l2Norm(honest);
        SplittableRandom random = new SplittableRandom(seed);
        double[] g = new double[Math.toIntExact(honest.parameterCount())];
        double squares = 0.0;
        for (int j = 0; j < g.length; j++) {
            g[j] = random.nextGaussian();
            squares += g[j] * g[j];
        }
        double scale = squares > 0 ? norm / Math.sqrt(squares) : 0.0;
        float[] v = new float[g.length];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) (g[j] * scale);
        }
        return withValues(honest, v);
    }

    /**
     * What a free-rider sends instead of a trained delta (Lin et al. 2019, "Free-riders in
     * Federated Learning: Attacks and Defenses"): zeros when {@code noiseStd == 0}, else values
     * drawn from N(0, noiseStd^2), which look less obviously empty.
     */
    public static ModelWeights freeRide(ModelWeights layout, double noiseStd, long seed) {
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new IllegalArgumentException("noise deviation must be finite and >= 0, got " + noiseStd);
        }
        float[] v = new float[Math.toIntExact(layout.parameterCount())];
        if (noiseStd > 0) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) (noiseStd * random.nextGaussian());
            }
        }
        return withValues(layout, v);
    }

    /** All values, tensor after tensor, in one new array. */
    public static float[] flatten(ModelWeights weights) {
        float[] out = new float[Math.toIntExact(weights.parameterCount())];
        int at = 0;
        for (Tensor t : weights.tensors()) {
            System.arraycopy(t.values(), 0, out, at, t.size());
            at += t.size();
        }
        return out;
    }

    /** {@code values}, laid out as the tensors of {@code layout} (the inverse of {@link #flatten}). */
    public static ModelWeights withValues(ModelWeights layout, float[] values) {
        Objects.requireNonNull(values, "values");
        if (values.length != layout.parameterCount()) {
            throw new IllegalArgumentException(values.length + " values do not fill " + layout.describe() + " ("
                    + layout.parameterCount() + " parameters)");
        }
        List<Tensor> out = new ArrayList<>(layout.tensorCount());
        int at = 0;
        for (Tensor t : layout.tensors()) {
            float[] part = new float[t.size()];
            System.arraycopy(values, at, part, 0, part.length);
            out.add(t.withValues(part));
            at += part.length;
        }
        return new ModelWeights(out);
    }

    /** The L2 norm over all tensors, summed in double. */
    public static double l2Norm(ModelWeights weights) {
        double s = 0.0;
        for (Tensor t : weights.tensors()) {
            for (float v : t.values()) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }
}
