package io.floe.core.aggregate;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Looks rules up by the name a ModelSpec gives: {@code fedavg}, {@code median},
 * {@code trimmed-mean}, {@code krum}, {@code multi-krum}, {@code bulyan}. Names are matched ignoring case.
 *
 * <pre>{@code
 * AggregationRule rule = AggregationRules.create("trimmed-mean", new RuleParameters(0.2, 1, 0));
 * }</pre>
 */
public final class AggregationRules {
    private static final Map<String, Function<RuleParameters, AggregationRule>> RULES = new TreeMap<>(Map.of(
            FederatedAveraging.NAME, p -> new FederatedAveraging(),
            CoordinateWiseMedian.NAME, p -> new CoordinateWiseMedian(),
            TrimmedMean.NAME, p -> new TrimmedMean(p.trimFraction()),
            Krum.NAME, p -> new Krum(p.byzantineClients()),
            MultiKrum.NAME, p -> new MultiKrum(p.byzantineClients(), p.multiKrumSelection()),
            Bulyan.NAME, p -> new Bulyan(p.byzantineClients())));

    private AggregationRules() {
    }

    /**
     * The rule with its {@link RuleParameters#DEFAULTS default parameters}.
     *
     * @throws IllegalArgumentException naming the known rules when {@code name} is not one
     */
    public static AggregationRule byName(String name) {
        return create(name, RuleParameters.DEFAULTS);
    }

    /**
     * The rule configured with {@code parameters} (each rule reads the ones it uses).
     *
     * @throws IllegalArgumentException naming the known rules when {@code name} is not one
     */
    public static AggregationRule create(String name, RuleParameters parameters) {
        Function<RuleParameters, AggregationRule> f = name == null ? null : RULES.get(name.toLowerCase(Locale.ROOT));
        if (f == null) {
            throw new IllegalArgumentException("unknown aggregation rule '" + name + "'; known rules: " + RULES.keySet());
        }
        return f.apply(parameters == null ? RuleParameters.DEFAULTS : parameters);
    }

    public static boolean isKnown(String name) {
        return name != null && RULES.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** All rule names, sorted. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(RULES.keySet());
    }
}
