package io.floe.core.round;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which clients are asked to train on a version: Flower's {@code fraction_fit},
 * {@code min_fit_clients} and {@code min_available_clients}, made deterministic so that anyone
 * can recompute a selection from the log.
 *
 * <p>Each client draws a number {@code u(seed, v, i)} in [0, 1) from a stable hash (the first 8
 * bytes of SHA-256 over the seed, the version and the client id); client {@code i} is in the
 * Poisson sample of version {@code v} iff {@code u < q}. Every client is sampled independently
 * with probability q, as DP-FedAvg's accounting assumes (McMahan et al. 2018, Algorithm 1), and
 * a trainer can check its own membership without asking anyone.
 *
 * <p>{@link #select} applies the sample to the clients available now, then tops it up to
 * {@code minFitClients} with the available clients of lowest {@code u} (so the top-up is as
 * deterministic as the sample). With fewer than {@code minAvailableClients} available (or none at
 * all) it does not wait, as Flower's server does: the version asks every client (selection null)
 * and the note says why, so no round can hang on an empty selection.
 */
public final class ClientSelection {
    private ClientSelection() {
    }

    /**
     * The outcome of {@link #select}.
     *
     * @param clients the clients asked to train, sorted; null = every client (no selection)
     * @param note why and how, for the report; empty when there is no selection by configuration
     */
    public record Selection(List<String> clients, String note) {
        public Selection {
            clients = clients == null ? null : List.copyOf(clients);
            Objects.requireNonNull(note, "note");
        }

        /** Every client, by configuration (fractionFit 1, minAvailableClients 0). */
        public static Selection everyone() {
            return new Selection(null, "");
        }

        public boolean isEveryone() {
            return clients == null;
        }
    }

    /** True when selection is configured at all: {@code q < 1} or a minimum of available clients. */
    public static boolean enabled(double q, int minAvailableClients) {
        return q < 1.0 || minAvailableClients > 0;
    }

    /** {@code u(seed, version, clientId)} in [0, 1): the first 8 bytes of SHA-256 over seed | version | UTF-8 clientId, top 53 bits. */
    public static double unitHash(long seed, long version, String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
        sha.update(ByteBuffer.allocate(16).putLong(seed).putLong(version).array());
        sha.update(clientId.getBytes(StandardCharsets.UTF_8));
        long bits = ByteBuffer.wrap(sha.digest(), 0, 8).getLong();
        return (bits >>> 11) * 0x1.0p-53;
    }

    /** Whether {@code clientId} is in the Poisson sample of rate {@code q} for {@code version}. */
    public static boolean poissonSelected(long seed, long version, String clientId, double q) {
        requireRate(q);
        return unitHash(seed, version, clientId) < q;
    }

    /**
     * The clients asked to train on {@code version}.
     *
     * @param available clients available now (any order; duplicates ignored)
     * @param q fractionFit, in [0, 1]
     * @param minFitClients the sample is topped up to this many (or every available client, if fewer)
     * @param minAvailableClients below this many available clients nobody is selected: every client is asked
     */
    public static Selection select(Collection<String> available, long seed, long version, double q, int minFitClients,
            int minAvailableClients) {
        Objects.requireNonNull(available, "available");
        requireRate(q);
        if (minFitClients < 0 || minAvailableClients < 0) {
            throw new IllegalArgumentException("minFitClients and minAvailableClients must be >= 0, were "
                    + minFitClients + " and " + minAvailableClients);
        }
        if (!enabled(q, minAvailableClients)) {
            return Selection.everyone();
        }
        TreeSet<String> pool = new TreeSet<>(available);
        if (pool.isEmpty() || pool.size() < minAvailableClients) {
            return new Selection(null, String.format(Locale.ROOT, "selection for version %d: %d clients available "
                    + "(minAvailableClients %d), so every client is asked", version, pool.size(), minAvailableClients));
        }
        List<String> sampled = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String c : pool) {
            (unitHash(seed, version, c) < q ? sampled : rest).add(c);
        }
        int wanted = Math.min(minFitClients, pool.size());
        int toppedUp = Math.max(0, wanted - sampled.size());
        if (toppedUp > 0) {
            rest.sort(Comparator.comparingDouble((String c) -> unitHash(seed, version, c)).thenComparing(c -> c));
            sampled.addAll(rest.subList(0, toppedUp));
        }
        sampled.sort(Comparator.naturalOrder());
        return new Selection(sampled, String.format(Locale.ROOT, "selection for version %d: %d of %d available clients "
                + "(fractionFit %s, %d sampled, %d topped up to minFitClients %d)", version, sampled.size(), pool.size(),
                q, sampled.size() - toppedUp, toppedUp, minFitClients));
    }

    private static void requireRate(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("fractionFit q must be in [0, 1], was " + q);
        }
    }
}
