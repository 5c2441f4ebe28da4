package io.floe.trainer.attack;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How a malicious trainer behaves, parsed from a short spec: a name, optionally followed by
 * {@code :key=value,...} options, e.g. {@code sign-flip}, {@code scale:boost=20},
 * {@code backdoor:target=0,boost=5}, {@code free-rider:noise=0.001}.
 *
 * <table>
 *   <caption>Attacks and their options</caption>
 *   <tr><th>name</th><th>update sent</th><th>options (default)</th></tr>
 *   <tr><td>{@code sign-flip}</td><td>{@code -factor * delta}</td><td>{@code factor} (1)</td></tr>
 *   <tr><td>{@code scale}</td><td>{@code boost * delta}</td><td>{@code boost} (10)</td></tr>
 *   <tr><td>{@code gaussian}</td><td>N(0, I) direction with the honest delta's L2 norm</td><td>none</td></tr>
 *   <tr><td>{@code label-flip}</td><td>honest training on labels {@code y -> 1 - y}</td><td>none</td></tr>
 *   <tr><td>{@code alie}</td><td>{@code mu - z * sigma} of the colluders' deltas</td>
 *       <td>{@code z} ({@code z_max(n, f)}, see {@link LittleIsEnough})</td></tr>
 *   <tr><td>{@code backdoor}</td><td>{@code boost * delta} trained with triggered copies ({@link Backdoor})</td>
 *       <td>{@code target} (1), {@code value} (3.0), {@code boost} ({@code n / f})</td></tr>
 *   <tr><td>{@code free-rider}</td><td>zeros, or N(0, noise^2) per value</td><td>{@code noise} (0)</td></tr>
 * </table>
 *
 * <p>{@code
 * Attack a = Attack.parse("scale:boost=20");
 * double boost = a.option("boost");     // 20.0
 * }
 */
public final class Attack {
    /** The attacks, each with the options it accepts and their defaults (NaN: derived when not given). */
    public enum Kind {
        SIGN_FLIP("sign-flip", Map.of("factor", 1.0)),
        SCALE("scale", Map.of("boost", 10.0)),
        GAUSSIAN("gaussian", Map.of()),
        LABEL_FLIP("label-flip", Map.of()),
        ALIE("alie", Map.of("z", Double.NaN)),
        BACKDOOR("backdoor", Map.of("target", (double) Backdoor.DEFAULT_TARGET,
                "value", (double) Backdoor.DEFAULT_TRIGGER_VALUE, "boost", Double.NaN)),
        FREE_RIDER("free-rider", Map.of("noise", 0.0));

        private final String cliName;
        private final Map<String, Double> defaults;

        Kind(String cliName, Map<String, Double> defaults) {
            this.cliName = cliName;
            this.defaults = defaults;
        }

        /** The name used on the command line, e.g. {@code sign-flip}. */
        public String cliName() {
            return cliName;
        }

        /** The options this attack accepts, sorted. */
        public java.util.SortedSet<String> optionNames() {
            return new java.util.TreeSet<>(defaults.keySet());
        }

        /** The kind named {@code name} (case-insensitive; {@code _} may stand for {@code -}). */
        public static Kind named(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Kind k : values()) {
                if (k.cliName.equals(n)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown attack '" + name + "'; expected one of " + names());
        }
    }

    private final Kind kind;
    /** Options given explicitly. */
    private final Map<String, Double> options;

    private Attack(Kind kind, Map<String, Double> options) {
        this.kind = kind;
        this.options = options;
    }

    /** The names {@link #parse} accepts. */
    public static List<String> names() {
        return Arrays.stream(Kind.values()).map(Kind::cliName).toList();
    }

    /** An attack of {@code kind} with default options. */
    public static Attack of(Kind kind) {
        return new Attack(Objects.requireNonNull(kind, "kind"), Map.of());
    }

    /**
     * Parses {@code NAME} or {@code NAME:key=value,key=value}.
     *
     * @throws IllegalArgumentException naming the problem and what is accepted
     */
    public static Attack parse(String spec) {
        Objects.requireNonNull(spec, "attack spec");
        int colon = spec.indexOf(':');
        Kind kind = Kind.named(colon < 0 ? spec : spec.substring(0, colon));
        Map<String, Double> options = new LinkedHashMap<>();
        if (colon >= 0 && !spec.substring(colon + 1).isBlank()) {
            for (String pair : spec.substring(colon + 1).split(",", -1)) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair.trim() : pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                if (eq < 0 || !kind.defaults.containsKey(key)) {
                    throw new IllegalArgumentException("attack '" + spec + "': '" + pair.trim() + "' is not an option of "
                            + kind.cliName + "; expected key=value with key in " + kind.optionNames());
                }
                double value;
                try {
                    value = Double.parseDouble(pair.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("attack '" + spec + "': option " + key + " needs a number, got '"
                            + pair.substring(eq + 1).trim() + "'");
                }
                check(spec, key, value);
                options.put(key, value);
            }
        }
        return new Attack(kind, Map.copyOf(options));
    }

    private static void check(String spec, String key, double value) {
        boolean ok = switch (key) {
            case "factor", "boost" -> value > 0 && Double.isFinite(value);
            case "noise" -> value >= 0 && Double.isFinite(value);
            case "target" -> value >= 0 && value == Math.rint(value) && value < Integer.MAX_VALUE;
            default -> Double.isFinite(value);
        };
        if (!ok) {
            String need = switch (key) {
                case "factor", "boost" -> "a positive finite number";
                case "noise" -> "a finite number >= 0";
                case "target" -> "a class index (integer >= 0)";
                default -> "a finite number";
            };
            throw new IllegalArgumentException("attack '" + spec + "': " + key + " must be " + need + ", got " + value);
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The attack's command-line name, e.g. {@code scale}. */
    public String name() {
        return kind.cliName;
    }

    /** True when {@code key} was given in the spec (rather than defaulted). */
    public boolean isSet(String key) {
        requireKnown(key);
        return options.containsKey(key);
    }

    /**
     * The value of option {@code key}: as given, else its default.
     *
     * @throws IllegalStateException when it was not given and has no fixed default (it is derived
     *     from the federation, e.g. ALIE's {@code z}); check {@link #isSet} first
     */
    public double option(String key) {
        requireKnown(key);
        double v = options.getOrDefault(key, kind.defaults.get(key));
        if (Double.isNaN(v)) {
            throw new IllegalStateException(kind.cliName + "'s option " + key
                    + " was not given; it is derived from the federation (clients, attackers)");
        }
        return v;
    }

    private void requireKnown(String key) {
        if (!kind.defaults.containsKey(key)) {
            throw new IllegalArgumentException(kind.cliName + " has no option '" + key + "'; its options are "
                    + kind.optionNames());
        }
    }

    /** The spec that parses back to this attack, e.g. {@code scale:boost=20.0}. */
    @Override
    public String toString() {
        if (options.isEmpty()) {
            return kind.cliName;
        }
        return kind.cliName + ":" + options.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attack a && kind == a.kind && options.equals(a.options);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + options.hashCode();
    }
}
