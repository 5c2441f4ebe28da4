package io.floe.core.aggregate;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Norm clipping, a step before any rule: each delta whose global L2 norm (over all tensors)
 * exceeds C is scaled by C / norm, so no single update can move the model further than C.
 *
 * <p>Sun, Kairouz, Suresh, McMahan, "Can You Really Backdoor Federated Learning?", 2019, Section
 * 4 (norm bounding {@code Δ / max(1, ||Δ|| / M)}); with C the round's median norm as in
 * {@link ClipBound#medianOfRound()}. Norms are summed in double; scaled values are computed in
 * double and rounded to float, so a clipped norm is C up to float rounding.
 *
 * <pre>{@code
 * NormClipping.Clipped c = new NormClipping(ClipBound.medianOfRound()).clip(updates);
 * AggregationResult r = rule.aggregate(c.updates()); // c.norms(), c.factors() go into the report
 * }</pre>
 */
public final class NormClipping {
    private final ClipBound bound;

    public NormClipping(ClipBound bound) {
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /**
     * Clipping as AggregationConfig spells it: {@code none} (empty), {@code fixed} (C =
     * {@code clipNorm}) or {@code median} (the round's median norm).
     *
     * @throws IllegalArgumentException for another mode, or {@code fixed} with a bound that is not positive
     */
    public static Optional<NormClipping> fromConfig(String clipping, double clipNorm) {
        String mode = clipping == null ? "none" : clipping.toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "none" -> Optional.empty();
            case "fixed" -> Optional.of(new NormClipping(ClipBound.fixed(clipNorm)));
            case "median" -> Optional.of(new NormClipping(ClipBound.medianOfRound()));
            default -> throw new IllegalArgumentException("unknown clipping '" + clipping + "'; known: none, fixed, median");
        };
    }

    public ClipBound bound() {
        return bound;
    }

    /**
     * The clipped updates, in the order given, plus what the report needs.
     *
     * @param updates the round's updates (a delta within the bound is passed through as is)
     */
    public Clipped clip(List<ClientUpdate> updates) {
        double[] norms = new double[updates.size()];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = l2Norm(updates.get(i).delta());
        }
        double c = updates.isEmpty() ? Double.NaN : bound.resolve(norms);
        List<ClientUpdate> out = new ArrayList<>(updates.size());
        Map<String, Double> normById = new LinkedHashMap<>();
        Map<String, Double> factorById = new LinkedHashMap<>();
        for (int i = 0; i < norms.length; i++) {
            ClientUpdate u = updates.get(i);
            double factor = norms[i] > c ? c / norms[i] : 1.0;
            out.add(factor == 1.0 ? u : new ClientUpdate(u.updateId(), u.clientId(), u.baseVersion(), u.numExamples(),
                    u.localSteps(), scaled(u.delta(), factor), u.metrics()));
            normById.put(u.updateId(), norms[i]);
            factorById.put(u.updateId(), factor);
        }
        return new Clipped(out, c, normById, factorById);
    }

    /** The L2 norm of all values of all tensors, summed in double in tensor order. */
    public static double l2Norm(ModelWeights delta) {
        double s = 0;
        for (Tensor t : delta.tensors()) {
            for (float v : t.values()) {
                s += (double) v * v;
            }
        }
        return Math.sqrt(s);
    }

    private static ModelWeights scaled(ModelWeights delta, double factor) {
        List<Tensor> out = new ArrayList<>(delta.tensorCount());
        for (Tensor t : delta.tensors()) {
            float[] v = t.values();
            float[] r = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                r[j] = (float) (v[j] * factor);
            }
            out.add(t.withValues(r));
        }
        return new ModelWeights(out);
    }

    /**
     * @param updates the updates after clipping, in input order
     * @param bound the C used this round (NaN for an empty round)
     * @param norms each update's norm before clipping, by updateId
     * @param factors the scale applied to each update (1 when within the bound), by updateId
     */
    public record Clipped(List<ClientUpdate> updates, double bound, Map<String, Double> norms,
            Map<String, Double> factors) {
        public Clipped {
            updates = List.copyOf(updates);
            norms = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(norms));
            factors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(factors));
        }
    }
}
