package io.floe.core.async;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How much an update trained {@code tau} versions ago still counts: the staleness functions of
 * FedAsync (Xie, Koyejo, Gupta, "Asynchronous Federated Optimization", 2019, Section 5.2):
 * <ul>
 *   <li>constant: {@code s(tau) = 1};
 *   <li>polynomial: {@code s_a(tau) = (1 + tau)^-a};
 *   <li>hinge: {@code s_{a,b}(tau) = 1} if {@code tau <= b}, else {@code 1 / (a (tau - b) + 1)}.
 * </ul>
 * Parsed from {@code constant}, {@code polynomial:a=0.5}, {@code hinge:a=10,b=4}.
 */
public sealed interface StalenessFunction {

    /** The weight of an update with staleness {@code tau >= 0}. */
    double weight(long tau);

    record Constant() implements StalenessFunction {
        @Override
        public double weight(long tau) {
            requireStaleness(tau);
            return 1.0;
        }
    }

    record Polynomial(double a) implements StalenessFunction {
        public Polynomial {
            if (!(a > 0) || !Double.isFinite(a)) {
                throw new IllegalArgumentException("polynomial staleness needs a > 0, was " + a);
            }
        }

        @Override
        public double weight(long tau) {
            requireStaleness(tau);
            return Math.pow(1.0 + tau, -a);
        }
    }

    record Hinge(double a, long b) implements StalenessFunction {
        public Hinge {
            if (!(a > 0) || !Double.isFinite(a) || b < 0) {
                throw new IllegalArgumentException("hinge staleness needs a > 0 and b >= 0, was a = " + a + ", b = " + b);
            }
        }

        @Override
        public double weight(long tau) {
            requireStaleness(tau);
            return tau <= b ? 1.0 : 1.0 / (a * (tau - b) + 1.0);
        }
    }

    private static void requireStaleness(long tau) {
        if (tau < 0) {
            throw new IllegalArgumentException("staleness must be >= 0 (an update cannot come from a future version), was " + tau);
        }
    }

    /** Parses {@code constant}, {@code polynomial[:a=A]} (default a = 0.5) or {@code hinge[:a=A,b=B]} (defaults 10, 4). */
    static StalenessFunction parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        Map<String, Double> opts = new TreeMap<>();
        if (s.contains(":")) {
            for (String kv : s.substring(s.indexOf(':') + 1).split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException("staleness option '" + kv + "' is not key=value");
                }
                try {
                    opts.put(p[0].trim(), Double.parseDouble(p[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("staleness option '" + kv + "' is not a number");
                }
            }
        }
        return switch (name) {
            case "constant" -> new Constant();
            case "polynomial" -> new Polynomial(opts.getOrDefault("a", 0.5));
            case "hinge" -> new Hinge(opts.getOrDefault("a", 10.0), Math.round(opts.getOrDefault("b", 4.0)));
            default -> throw new IllegalArgumentException("unknown staleness function '" + spec
                    + "'; use constant, polynomial[:a=A] or hinge[:a=A,b=B]");
        };
    }
}
