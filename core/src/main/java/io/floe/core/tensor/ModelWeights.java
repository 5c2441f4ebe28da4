package io.floe.core.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parameters of a model (or a delta of them): tensors in a fixed order, unique by name.
 *
 * <p>The order is the order the architecture declares its parameters in; deltas and global
 * models keep it, so two weights can be combined tensor by tensor.
 */
public final class ModelWeights {
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;

    public ModelWeights(List<Tensor> tensors) {
        Objects.requireNonNull(tensors, "tensors");
        Map<String, Tensor> index = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (index.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
        }
        this.tensors = List.copyOf(tensors);
        this.byName = Collections.unmodifiableMap(index);
    }

    public List<Tensor> tensors() {
        return tensors;
    }

    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in " + byName.keySet());
        }
        return t;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    public int tensorCount() {
        return tensors.size();
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors) {
            n += t.size();
        }
        return n;
    }

    /** True when {@code other} has the same tensor names, in the same order, with the same shapes. */
    public boolean sameLayout(ModelWeights other) {
        if (other.tensors.size() != tensors.size()) {
            return false;
        }
        for (int i = 0; i < tensors.size(); i++) {
            Tensor a = tensors.get(i);
            Tensor b = other.tensors.get(i);
            if (!a.name().equals(b.name()) || !a.sameShape(b)) {
                return false;
            }
        }
        return true;
    }

    /** this + scale * delta, tensor by tensor (a global model plus an aggregated delta). */
    public ModelWeights plusScaled(ModelWeights delta, float scale) {
        requireSameLayout(delta);
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            float[] a = tensors.get(i).values();
            float[] b = delta.tensors.get(i).values();
            float[] r = new float[a.length];
            for (int j = 0; j < a.length; j++) {
                r[j] = a[j] + scale * b[j];
            }
            out.add(tensors.get(i).withValues(r));
        }
        return new ModelWeights(out);
    }

    /** this - other, tensor by tensor (a trainer's delta w_local - w_base). */
    public ModelWeights minus(ModelWeights other) {
        requireSameLayout(other);
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            float[] a = tensors.get(i).values();
            float[] b = other.tensors.get(i).values();
            float[] r = new float[a.length];
            for (int j = 0; j < a.length; j++) {
                r[j] = a[j] - b[j];
            }
            out.add(tensors.get(i).withValues(r));
        }
        return new ModelWeights(out);
    }

    /** All values, tensor after tensor, in one array (for norms and distances over the whole model). */
    public float[] flatten() {
        float[] out = new float[Math.toIntExact(parameterCount())];
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(t.values(), 0, out, at, t.size());
            at += t.size();
        }
        return out;
    }

    /** The global L2 norm over all tensors, accumulated in double. */
    public double l2Norm() {
        double s = 0;
        for (Tensor t : tensors) {
            for (float v : t.values()) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }

    /** Every value multiplied by {@code factor}. */
    public ModelWeights scaled(float factor) {
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            float[] a = t.values();
            float[] r = new float[a.length];
            for (int j = 0; j < a.length; j++) {
                r[j] = a[j] * factor;
            }
            out.add(t.withValues(r));
        }
        return new ModelWeights(out);
    }

    /** A copy whose arrays are not shared with this one. */
    public ModelWeights copy() {
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            out.add(t.withValues(t.values().clone()));
        }
        return new ModelWeights(out);
    }

    private void requireSameLayout(ModelWeights other) {
        if (!sameLayout(other)) {
            throw new IllegalArgumentException("model weights differ in tensor names or shapes: "
                    + describe() + " vs " + other.describe());
        }
    }

    /** Names and shapes, for error messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder("[");
        for (Tensor t : tensors) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(t.name()).append(java.util.Arrays.toString(t.shape()));
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelWeights w && tensors.equals(w.tensors);
    }

    @Override
    public int hashCode() {
        return tensors.hashCode();
    }
}
