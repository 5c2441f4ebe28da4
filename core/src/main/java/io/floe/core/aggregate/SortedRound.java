package io.floe.core.aggregate;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A round's updates in the order every rule works in: by updateId, then clientId. Rules that
 * sort first give the same result, bit for bit, whatever order the updates arrived in.
 */
final class SortedRound {
    static final Comparator<ClientUpdate> ORDER =
            Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId);

    private final List<ClientUpdate> updates;

    private SortedRound(List<ClientUpdate> updates) {
        this.updates = updates;
    }

    /**
     * @throws IllegalArgumentException naming {@code rule} when there are no updates or two
     *     updates differ in tensor names or shapes
     */
    static SortedRound of(List<ClientUpdate> updates, String rule) {
        if (updates == null || updates.isEmpty()) {
            throw new IllegalArgumentException(rule + " needs at least one update");
        }
        List<ClientUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(ORDER);
        ModelWeights layout = sorted.get(0).delta();
        for (ClientUpdate u : sorted) {
            if (!u.delta().sameLayout(layout)) {
                throw new IllegalArgumentException(rule + ": update '" + u.updateId() + "' has tensors "
                        + u.delta().describe() + " but update '" + sorted.get(0).updateId() + "' has "
                        + layout.describe());
            }
        }
        return new SortedRound(List.copyOf(sorted));
    }

    List<ClientUpdate> updates() {
        return updates;
    }

    int size() {
        return updates.size();
    }

    ClientUpdate get(int i) {
        return updates.get(i);
    }

    int tensorCount() {
        return updates.get(0).delta().tensorCount();
    }

    /** Tensor {@code t} of every update, in round order: the K columns a coordinate-wise kernel reads. */
    float[][] columns(int t) {
        float[][] c = new float[updates.size()][];
        for (int i = 0; i < c.length; i++) {
            c[i] = updates.get(i).delta().tensors().get(t).values();
        }
        return c;
    }

    /** Applies {@code kernel(columns, out)} tensor by tensor and assembles the outputs as a delta. */
    ModelWeights coordinateWise(BiConsumer<float[][], float[]> kernel) {
        ModelWeights layout = updates.get(0).delta();
        List<Tensor> out = new ArrayList<>(layout.tensorCount());
        for (int t = 0; t < layout.tensorCount(); t++) {
            Tensor first = layout.tensors().get(t);
            float[] values = new float[first.size()];
            kernel.accept(columns(t), values);
            out.add(first.withValues(values));
        }
        return new ModelWeights(out);
    }

    /** 1/K for every update (rules in which each update counts the same). */
    Map<String, Double> equalWeights() {
        Map<String, Double> w = new LinkedHashMap<>();
        for (ClientUpdate u : updates) {
            w.put(u.updateId(), 1.0 / updates.size());
        }
        return w;
    }
}
