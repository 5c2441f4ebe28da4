package io.floe.core.aggregate;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Looks rules up by the name a ModelSpec gives. */
public final class AggregationRules {
    private static final Map<String, Supplier<AggregationRule>> RULES = new TreeMap<>(Map.of(
            FederatedAveraging.NAME, FederatedAveraging::new));

    private AggregationRules() {
    }

    /** @throws IllegalArgumentException naming the known rules when {@code name} is not one */
    public static AggregationRule byName(String name) {
        Supplier<AggregationRule> s = name == null ? null : RULES.get(name.toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown aggregation rule '" + name + "'; known rules: " + RULES.keySet());
        }
        return s.get();
    }

    public static boolean isKnown(String name) {
        return name != null && RULES.containsKey(name.toLowerCase(Locale.ROOT));
    }

    public static Set<String> names() {
        return RULES.keySet();
    }
}
