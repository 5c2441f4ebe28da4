package io.floe.deploy.local;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Simulated device conditions of a run's trainers: how long a local round takes on a device, which
 * share of devices are stragglers and how much slower, how often a device drops out mid-round,
 * and how long the run may last. Real fleets are heterogeneous; the demo's hospitals train on a
 * few hundred rows in milliseconds, so without simulated latency every mode looks the same.
 *
 * <p>A trainer's round takes {@code latencyMs} times its slowdown (1, or {@code slowdown} for a
 * straggler) times a jitter drawn uniformly from [0.8, 1.2], on top of the real training time.
 * Stragglers are {@code round(stragglerFraction * clients)} clients picked by a seeded shuffle, so
 * runs with the same seed slow down the same clients. A dropout trains but never reports that
 * round (it vanished mid-round); it comes back for the next version.
 *
 * @param latencyMs simulated duration of a local round on a normal device, 0 for none
 * @param stragglerFraction share of clients that are stragglers, in [0, 1]
 * @param slowdown how many times slower a straggler is, at least 1
 * @param dropout probability that a client drops out of a round, in [0, 1)
 * @param durationSeconds stop the run after this long even if fewer versions were published; 0 = no limit
 */
public record ClientConditions(long latencyMs, double stragglerFraction, double slowdown, double dropout, double durationSeconds) {
    public static final ClientConditions NONE = new ClientConditions(0, 0, 1, 0, 0);

    public ClientConditions {
        if (latencyMs < 0) {
            throw new IllegalArgumentException("client latency must be >= 0 ms, was " + latencyMs);
        }
        if (!(stragglerFraction >= 0 && stragglerFraction <= 1)) {
            throw new IllegalArgumentException("straggler fraction must be in [0, 1], was " + stragglerFraction);
        }
        if (!(slowdown >= 1) || !Double.isFinite(slowdown)) {
            throw new IllegalArgumentException("straggler slowdown must be >= 1, was " + slowdown);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), was " + dropout);
        }
        if (!(durationSeconds >= 0)) {
            throw new IllegalArgumentException("duration must be >= 0 s, was " + durationSeconds);
        }
    }

    /**
     * Parses a straggler spec {@code FRACTION:FACTORx}, e.g. {@code 0.3:10x} (30% of clients ten
     * times slower); {@code none} or {@code 0} for none.
     *
     * @return {fraction, slowdown}
     */
    public static double[] parseStragglers(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("none") || s.equals("0")) {
            return new double[] {0, 1};
        }
        String[] parts = s.split(":");
        if (parts.length != 2 || !parts[1].endsWith("x")) {
            throw new IllegalArgumentException("cannot parse stragglers '" + spec + "'; expected FRACTION:FACTORx, e.g. 0.3:10x");
        }
        try {
            return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1].substring(0, parts[1].length() - 1))};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot parse stragglers '" + spec + "'; expected FRACTION:FACTORx, e.g. 0.3:10x");
        }
    }

    public ClientConditions withStragglers(String spec) {
        double[] p = parseStragglers(spec);
        return new ClientConditions(latencyMs, p[0], p[1], dropout, durationSeconds);
    }

    /** True when any condition is simulated (latency, stragglers or dropouts). */
    public boolean simulated() {
        return latencyMs > 0 || dropout > 0;
    }

    /** The stragglers' indices among {@code clients}, fixed by {@code seed}. */
    public Set<Integer> stragglers(int clients, long seed) {
        int n = (int) Math.round(stragglerFraction * clients);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed ^ 0x5713A66L));
        return new TreeSet<>(order.subList(0, n));
    }

    /** "30% of clients 10x slower, 200 ms per local round, 10% dropouts" or "none". */
    public String describe() {
        if (!simulated()) {
            return "none";
        }
        return String.format(Locale.ROOT, "%d ms per local round, %.0f%% of clients %.0fx slower, %.0f%% dropouts",
                latencyMs, 100 * stragglerFraction, slowdown, 100 * dropout);
    }
}
