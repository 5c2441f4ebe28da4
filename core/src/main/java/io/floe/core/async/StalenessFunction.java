package io.floe.core.async;

import io.floe.core.spec.NamedSpec;

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
        NamedSpec s = NamedSpec.parse(spec, "staleness function");
        return switch (s.name()) {
            case "constant" -> {
                s.allowOnly();
                yield new Constant();
            }
            case "polynomial" -> new Polynomial(s.allowOnly("a").get("a", 0.5));
            case "hinge" -> new Hinge(s.allowOnly("a", "b").get("a", 10.0), Math.round(s.get("b", 4.0)));
            default -> throw new IllegalArgumentException("unknown staleness function '" + spec
                    + "'; use constant, polynomial[:a=A] or hinge[:a=A,b=B]");
        };
    }
}
