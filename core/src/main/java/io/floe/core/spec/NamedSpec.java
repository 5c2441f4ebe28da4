package io.floe.core.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code name[:key=value,...]} spec such as {@code fedadam:eta=0.01,tau=1e-3}: a
 * lower-case name and numeric options. Every such field of an AggregationConfig is read through
 * it (server optimizer, drift algorithm, staleness function, participation weighting), so they all
 * accept the same syntax and report errors the same way.
 */
public final class NamedSpec {
    private final String spec;
    private final String name;
    private final Map<String, Double> options;

    private NamedSpec(String spec, String name, Map<String, Double> options) {
        this.spec = spec;
        this.name = name;
        this.options = options;
    }

    /**
     * @param spec the text to parse
     * @param what what the spec selects, for messages ("server optimizer")
     */
    public static NamedSpec parse(String spec, String what) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(what + " spec is empty");
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String name = (colon < 0 ? s : s.substring(0, colon)).trim();
        Map<String, Double> options = new LinkedHashMap<>();
        if (colon >= 0) {
            String rest = s.substring(colon + 1);
            if (rest.isBlank()) {
                throw new IllegalArgumentException(what + " spec '" + spec + "' has a ':' but no options");
            }
            for (String kv : rest.split(",", -1)) {
                String[] p = kv.split("=", -1);
                if (p.length != 2 || p[0].isBlank() || p[1].isBlank()) {
                    throw new IllegalArgumentException(what + " option '" + kv.trim() + "' in '" + spec
                            + "' is not key=value");
                }
                String key = p[0].trim();
                double value;
                try {
                    value = Double.parseDouble(p[1].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(what + " option '" + kv.trim() + "' in '" + spec
                            + "' is not a number");
                }
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException(what + " option '" + kv.trim() + "' in '" + spec
                            + "' is not finite");
                }
                if (options.put(key, value) != null) {
                    throw new IllegalArgumentException(what + " option '" + key + "' appears twice in '" + spec + "'");
                }
            }
        }
        return new NamedSpec(spec, name, options);
    }

    public String name() {
        return name;
    }

    /** Rejects any option outside {@code allowed}, naming the ones that are. */
    public NamedSpec allowOnly(String... allowed) {
        List<String> ok = List.of(allowed);
        for (String key : options.keySet()) {
            if (!ok.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' for " + name + " in '" + spec + "'; "
                        + (ok.isEmpty() ? name + " takes no options" : "allowed: " + String.join(", ", ok)));
            }
        }
        return this;
    }

    public double get(String key, double defaultValue) {
        return options.getOrDefault(key, defaultValue);
    }
}
