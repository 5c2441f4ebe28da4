package io.floe.core.drift;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The moments a {@link ServerOptimizer} carries from round to round, held as {@link ModelWeights}
 * so a job can keep them wherever it keeps a model (Flink keyed state, a checkpoint, a topic):
 * the first moment of parameter {@code w} is the tensor {@code m/w}, the second moment {@code v/w}.
 * FedAvg has no state (no tensors); FedAvgM has only {@code m/}; the adaptive optimizers have both.
 *
 * <p>Values are float32 like the model, and an optimizer reads only what is stored here, so a step
 * after {@link #restore} gives the same bits as a step that never left memory.
 *
 * <pre>{@code
 * OptimizerState s = stored == null ? opt.initialState(global) : OptimizerState.restore(stored);
 * ServerStep next = opt.step(global, aggregatedDelta, s);
 * keyedState.update(next.state().asWeights());
 * }</pre>
 */
public final class OptimizerState {
    /** Prefix of first-moment tensors: {@code m/<parameter name>}. */
    public static final String FIRST_MOMENT = "m/";
    /** Prefix of second-moment tensors: {@code v/<parameter name>}. */
    public static final String SECOND_MOMENT = "v/";

    private static final OptimizerState EMPTY = new OptimizerState(new ModelWeights(List.of()));

    private final ModelWeights moments;

    private OptimizerState(ModelWeights moments) {
        this.moments = moments;
    }

    /** The state of an optimizer that keeps none (FedAvg). */
    public static OptimizerState empty() {
        return EMPTY;
    }

    /** Reads back what {@link #asWeights()} wrote; every tensor name must start with {@code m/} or {@code v/}. */
    public static OptimizerState restore(ModelWeights stored) {
        Objects.requireNonNull(stored, "stored");
        for (Tensor t : stored.tensors()) {
            if (!t.name().startsWith(FIRST_MOMENT) && !t.name().startsWith(SECOND_MOMENT)) {
                throw new IllegalArgumentException("optimizer state tensor '" + t.name() + "' is neither '"
                        + FIRST_MOMENT + "<name>' nor '" + SECOND_MOMENT + "<name>'");
            }
        }
        return new OptimizerState(stored);
    }

    /** Moments filled with constants: {@code m = mValue} if {@code withM}, {@code v = vValue} if {@code withV}. */
    static OptimizerState filled(ModelWeights layout, boolean withM, float mValue, boolean withV, float vValue) {
        List<Tensor> out = new ArrayList<>();
        if (withM) {
            for (Tensor t : layout.tensors()) {
                float[] a = new float[t.size()];
                Arrays.fill(a, mValue);
                out.add(new Tensor(FIRST_MOMENT + t.name(), t.shape(), a));
            }
        }
        if (withV) {
            for (Tensor t : layout.tensors()) {
                float[] a = new float[t.size()];
                Arrays.fill(a, vValue);
                out.add(new Tensor(SECOND_MOMENT + t.name(), t.shape(), a));
            }
        }
        return new OptimizerState(new ModelWeights(out));
    }

    static OptimizerState of(List<Tensor> moments) {
        return new OptimizerState(new ModelWeights(moments));
    }

    /** The state as weights, to store. */
    public ModelWeights asWeights() {
        return moments;
    }

    /** Fails unless this state holds exactly {@code expected} tensors (no moments of parameters the model lacks). */
    void requireTensorCount(int expected, String optimizer) {
        if (moments.tensorCount() != expected) {
            throw new IllegalArgumentException(optimizer + " expects " + expected + " state tensors but the state holds "
                    + moments.tensorCount() + ": " + moments.describe() + "; was it written by another optimizer or "
                    + "for another model? start from initialState(model)");
        }
    }

    /** The stored moment {@code prefix + param.name()}, checked to have the parameter's shape. */
    Tensor moment(String prefix, Tensor param, String optimizer) {
        String key = prefix + param.name();
        if (!moments.has(key)) {
            throw new IllegalArgumentException(optimizer + " state has no tensor '" + key + "' (it holds "
                    + moments.describe() + "); was it written by another optimizer or for another model? "
                    + "start from initialState(model)");
        }
        Tensor t = moments.get(key);
        if (!t.sameShape(param)) {
            throw new IllegalArgumentException(optimizer + " state tensor '" + key + "' has shape "
                    + Arrays.toString(t.shape()) + " but parameter '" + param.name() + "' has "
                    + Arrays.toString(param.shape()));
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OptimizerState s && moments.equals(s.moments);
    }

    @Override
    public int hashCode() {
        return moments.hashCode();
    }

    @Override
    public String toString() {
        return "OptimizerState" + moments.describe();
    }
}
