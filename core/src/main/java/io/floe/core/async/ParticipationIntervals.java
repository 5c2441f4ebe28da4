package io.floe.core.async;

import io.floe.core.aggregate.ClientUpdate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-client participation-interval statistics of one FedBuff model, and the correction that
 * weights each buffered update by its client's estimated inverse participation rate.
 *
 * <p><b>Why.</b> In FedBuff every client trains continuously, so a client ten times faster sends
 * ten times more updates, and the server optimises the speed-weighted objective
 * {@code sum_i p_i F_i} instead of {@code (1/N) sum_i F_i} (p_i: client i's expected updates per
 * version). FedAU (Shiqiang Wang and Mingyue Ji, "A Lightweight Method for Tackling Unknown
 * Participation Statistics in Federated Averaging", ICLR 2024) weights each client's update by
 * the online mean of its participation intervals (rounds between two participations), each
 * interval capped at a cutoff, which estimates {@code 1 / p_i} without knowing the p_i.
 * FedStaleWeight (Ma et al. 2024, arXiv 2406.02877) motivates the same correction for buffered
 * asynchronous FL from each client's average staleness.
 *
 * <p><b>floe's mapping to FedBuff</b> (not in either paper): a "round" is one buffer step, i.e.
 * one version. The buffer step that turns version {@code v} into {@code v+1} publishes
 * {@code V = v+1}; an update of client i with base version {@code b} aggregated into V records
 * the interval {@code V - lastVersion_i} when i has a history, else {@code V - b} (its staleness
 * + 1, the first estimate), each capped at {@code cap}. A client with several updates in one buffer
 * records each (the second gets interval 0, so the mean is the inverse of its updates per
 * version). The mean interval is {@code I_i = intervalSum_i / intervals_i}, floored at
 * {@code 1 / bufferSize}.
 *
 * <p><b>floe's normalisation</b> (not in either paper): with the clients active at V (last update
 * at most {@code cap} versions back, this buffer's included), {@code H} is the harmonic mean of
 * their {@code I_j}, {@code H = n_active / sum_j (1 / I_j)}, and client i's correction is
 * {@code c_i = I_i / H}. Equal rates give every {@code c_i = 1} (FedBuff unchanged); stragglers get
 * {@code c > 1}, fast clients {@code c < 1}. Derivation: with N clients, {@code sum_i p_i = K}
 * (a buffer holds K updates) and {@code E[I_i] = 1 / p_i}, so {@code H = N / sum_i p_i = N / K}
 * and {@code c_i = K / (N p_i)}; the expected buffer step is then
 * {@code sum_i p_i c_i Delta_i / K = (1/N) sum_i Delta_i}, the step of FedBuff with equal
 * participation. The staleness weight {@code s(tau)} and the model's rule apply on top
 * (FedBuffStep, in package {@code server}).
 *
 * <p>Call order for one buffer step: {@link #recordStep} records the buffer's updates (sorted by
 * updateId then clientId, so the result does not depend on arrival order) and then computes every
 * buffered client's {@code c_i} from the updated statistics. Mutable; the job's shell reads it from
 * keyed state before a step and writes the clients of {@link #recordStep}'s result back after.
 * Inactive clients keep their history (they are only left out of {@code H}).
 */
public final class ParticipationIntervals {
    /**
     * What the server knows of one client's participation.
     *
     * @param lastVersion the version its last aggregated update went into
     * @param intervalSum the sum of its capped participation intervals
     * @param intervals how many intervals were recorded (one per aggregated update, at least 1)
     */
    public record ParticipationHistory(long lastVersion, long intervalSum, int intervals) {
        public ParticipationHistory {
            if (intervals < 1 || intervalSum < 0 || lastVersion < 1) {
                throw new IllegalArgumentException("a participation history needs lastVersion >= 1, intervalSum >= 0 and "
                        + "intervals >= 1, was (" + lastVersion + ", " + intervalSum + ", " + intervals + ")");
            }
        }

        /** {@code intervalSum / intervals}, before the floor. */
        public double meanInterval() {
            return intervalSum / (double) intervals;
        }
    }

    private final int cap;
    private final int bufferSize;
    private final Map<String, ParticipationHistory> histories;

    /**
     * @param cap the interval cap C (versions), also the activity window
     * @param bufferSize FedBuff's K, whose inverse floors the mean interval
     * @param histories the clients' histories so far (copied)
     */
    public ParticipationIntervals(int cap, int bufferSize, Map<String, ParticipationHistory> histories) {
        if (cap < 1) {
            throw new IllegalArgumentException("the participation interval cap must be at least 1 version, was " + cap);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize (FedBuff's K) must be at least 1, was " + bufferSize);
        }
        this.cap = cap;
        this.bufferSize = bufferSize;
        this.histories = new TreeMap<>(histories);
    }

    /** No history yet. */
    public static ParticipationIntervals empty(int cap, int bufferSize) {
        return new ParticipationIntervals(cap, bufferSize, Map.of());
    }

    /**
     * One buffer step: records each buffered update into {@code publishedVersion}, then returns the
     * correction {@code c_i} of every client with an update in the buffer.
     *
     * @param publishedVersion V, the version the buffer step publishes (the current version + 1)
     * @param buffer the buffered updates (base versions below V)
     * @return client id -> {@code c_i}, in client id order
     */
    public Map<String, Double> recordStep(long publishedVersion, List<ClientUpdate> buffer) {
        if (buffer.isEmpty()) {
            throw new IllegalArgumentException("a FedBuff step needs at least one buffered update");
        }
        List<ClientUpdate> sorted = new ArrayList<>(buffer);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        for (ClientUpdate u : sorted) {
            record(u.clientId(), u.baseVersion(), publishedVersion);
        }
        double h = harmonicMean(publishedVersion);
        Map<String, Double> corrections = new TreeMap<>();
        for (ClientUpdate u : sorted) {
            corrections.put(u.clientId(), meanInterval(u.clientId()) / h);
        }
        return Collections.unmodifiableMap(corrections);
    }

    /** Records one update of {@code clientId} from {@code baseVersion} aggregated into {@code publishedVersion}. */
    void record(String clientId, long baseVersion, long publishedVersion) {
        if (baseVersion < 0 || baseVersion >= publishedVersion) {
            throw new IllegalArgumentException("update of client " + clientId + " from version " + baseVersion
                    + " cannot go into version " + publishedVersion + " (the base must be older)");
        }
        ParticipationHistory h = histories.get(clientId);
        if (h != null && h.lastVersion() > publishedVersion) {
            throw new IllegalArgumentException("client " + clientId + " last took part in version " + h.lastVersion()
                    + ", after version " + publishedVersion);
        }
        long interval = Math.min(h == null ? publishedVersion - baseVersion : publishedVersion - h.lastVersion(), cap);
        histories.put(clientId, h == null ? new ParticipationHistory(publishedVersion, interval, 1)
                : new ParticipationHistory(publishedVersion, h.intervalSum() + interval, h.intervals() + 1));
    }

    /** {@code I_i}: the client's mean participation interval, floored at {@code 1 / bufferSize}. */
    public double meanInterval(String clientId) {
        ParticipationHistory h = histories.get(clientId);
        if (h == null) {
            throw new IllegalArgumentException("client " + clientId + " has no participation history");
        }
        return Math.max(h.meanInterval(), 1.0 / bufferSize);
    }

    /** Whether the client took part in one of the last {@code cap} versions before {@code version}, or in it. */
    public boolean isActive(String clientId, long version) {
        ParticipationHistory h = histories.get(clientId);
        return h != null && h.lastVersion() >= version - cap;
    }

    /**
     * {@code H}: the harmonic mean of {@code I_j} over the clients active at {@code version}.
     *
     * @throws IllegalStateException when no client is active
     */
    public double harmonicMean(long version) {
        int active = 0;
        double inverseSum = 0;
        for (String client : histories.keySet()) {
            if (isActive(client, version)) {
                active++;
                inverseSum += 1.0 / meanInterval(client);
            }
        }
        if (active == 0) {
            throw new IllegalStateException("no client took part in the " + cap + " versions up to " + version);
        }
        return active / inverseSum;
    }

    /** The clients' histories, by client id (a read-only view). */
    public Map<String, ParticipationHistory> histories() {
        return Collections.unmodifiableMap(histories);
    }
}
