package io.floe.core.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cap on self-reported numExamples, a step before a weighted rule: FedAvg weights each update
 * by n_i / n, so a client that claims a billion examples would otherwise get all of the weight.
 * The cap is a fixed count or a multiple of the round's median count.
 *
 * <p>Counts above the cap become the cap; the delta is untouched.
 */
public final class ExampleCountCap {
    private final long fixed;
    private final double multiple;

    private ExampleCountCap(long fixed, double multiple) {
        this.fixed = fixed;
        this.multiple = multiple;
    }

    /** @throws IllegalArgumentException unless {@code max >= 1} */
    public static ExampleCountCap fixed(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("example cap must be >= 1, was " + max);
        }
        return new ExampleCountCap(max, Double.NaN);
    }

    /**
     * Cap at {@code floor(multiple * median(n_i))} (at least 1); for an even count the median is
     * the mean of the two middle counts.
     *
     * @throws IllegalArgumentException unless {@code multiple} is positive and finite
     */
    public static ExampleCountCap multipleOfMedian(double multiple) {
        if (!(multiple > 0 && Double.isFinite(multiple))) {
            throw new IllegalArgumentException("example cap multiple must be positive and finite, was " + multiple);
        }
        return new ExampleCountCap(0, multiple);
    }

    /**
     * The cap as AggregationConfig spells it: {@code none} (empty), {@code fixed} (at
     * {@code value}, a whole number) or {@code median-multiple} ({@code value} times the median).
     */
    public static Optional<ExampleCountCap> fromConfig(String exampleCap, double value) {
        String mode = exampleCap == null ? "none" : exampleCap.toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "none" -> Optional.empty();
            case "fixed" -> {
                if (value != Math.rint(value) || value > Long.MAX_VALUE) {
                    throw new IllegalArgumentException("exampleCap=fixed needs a whole number, was " + value);
                }
                yield Optional.of(fixed((long) value));
            }
            case "median-multiple" -> Optional.of(multipleOfMedian(value));
            default -> throw new IllegalArgumentException("unknown exampleCap '" + exampleCap
                    + "'; known: none, fixed, median-multiple");
        };
    }

    /** The cap for a round with these example counts. */
    public long capFor(List<ClientUpdate> updates) {
        if (!Double.isNaN(multiple)) {
            long[] n = updates.stream().mapToLong(ClientUpdate::numExamples).sorted().toArray();
            if (n.length == 0) {
                return Long.MAX_VALUE;
            }
            double median = n.length % 2 == 1 ? n[n.length / 2] : (n[n.length / 2 - 1] + (double) n[n.length / 2]) / 2;
            return Math.max(1, DecimalProduct.floor(multiple, median));
        }
        return fixed;
    }

    /** The updates in input order with counts capped; the others are passed through as is. */
    public Capped apply(List<ClientUpdate> updates) {
        long cap = capFor(updates);
        List<ClientUpdate> out = new ArrayList<>(updates.size());
        Map<String, Long> reported = new LinkedHashMap<>();
        for (ClientUpdate u : updates) {
            if (u.numExamples() > cap) {
                reported.put(u.updateId(), u.numExamples());
                out.add(new ClientUpdate(u.updateId(), u.clientId(), u.baseVersion(), cap, u.localSteps(), u.delta(),
                        u.metrics()));
            } else {
                out.add(u);
            }
        }
        return new Capped(out, cap, reported);
    }

    @Override
    public String toString() {
        return Double.isNaN(multiple) ? "ExampleCountCap[fixed " + fixed + "]"
                : "ExampleCountCap[" + multiple + " x median]";
    }

    /**
     * @param updates the updates with capped counts, in input order
     * @param cap the cap this round
     * @param reported the count each capped update had claimed, by updateId (only capped ones)
     */
    public record Capped(List<ClientUpdate> updates, long cap, Map<String, Long> reported) {
        public Capped {
            updates = List.copyOf(updates);
            reported = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reported));
        }
    }
}
