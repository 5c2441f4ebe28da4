package io.floe.core.aggregate;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tiny hand-written rounds for the rule tests. */
final class RoundFixtures {
    private RoundFixtures() {
    }

    /** A delta with a 2x2 tensor W and a 1-element tensor b. */
    static ClientUpdate update(String id, long n, float[] w, float b) {
        ModelWeights delta = new ModelWeights(List.of(
                new Tensor("W", new int[] {2, 2}, w),
                new Tensor("b", new int[] {1}, new float[] {b})));
        return new ClientUpdate(id, "client-" + id, 0L, n, 1, delta, Map.of());
    }

    /** A delta with one tensor "v" holding {@code values}. */
    static ClientUpdate vector(String id, long n, float... values) {
        ModelWeights delta = new ModelWeights(List.of(new Tensor("v", new int[] {values.length}, values)));
        return new ClientUpdate(id, "client-" + id, 0L, n, 1, delta, Map.of());
    }

    /** Five 2x2 + 1 updates, the last far away from the others. */
    static List<ClientUpdate> fiveWithOutlier() {
        return List.of(
                update("a", 10, new float[] {1f, 2f, 0f, -1f}, 0.5f),
                update("b", 20, new float[] {2f, 2f, 1f, -2f}, 0.25f),
                update("c", 30, new float[] {3f, 1f, -1f, -3f}, 0f),
                update("d", 40, new float[] {4f, 3f, 0f, -4f}, 1f),
                update("e", 1_000, new float[] {-100f, 100f, 50f, 90f}, -20f));
    }

    /** The same updates in {@code trials} shuffled orders. */
    static List<List<ClientUpdate>> shuffles(List<ClientUpdate> updates, int trials) {
        Random random = new Random(5);
        List<List<ClientUpdate>> out = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            List<ClientUpdate> p = new ArrayList<>(updates);
            Collections.shuffle(p, random);
            out.add(p);
        }
        return out;
    }
}
