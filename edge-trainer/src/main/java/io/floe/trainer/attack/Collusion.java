package io.floe.trainer.attack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the attackers of one simulated federation know and share: how many clients there are in
 * all ({@code n}), how many of them attack ({@code f}), and a meeting point where colluding
 * attackers pool their honest updates before crafting a malicious one (ALIE, {@link
 * LittleIsEnough}). One instance is shared by the attacker threads of a run, in one JVM; it is
 * thread-safe.
 *
 * <p>{@link #share} is a per-round barrier: each attacker hands in its honest delta for (model,
 * version) and waits until all {@code f} have, or until the timeout since it arrived passes (an
 * attacker may crash or sit a round out); then every caller gets the same statistics, computed
 * over the members sorted by client id, so the result does not depend on arrival order. An
 * attacker that arrives after its round closed gets that round's statistics without adding to
 * them.
 *
 * <p>{@code
 * Collusion collusion = new Collusion(10, 3);          // shared by the three attacker threads
 * LocalTraining t = new AttackingTraining(clientId, data, seed, Attack.parse("alie"), collusion);
 * }
 */
public final class Collusion {
    /** How long an attacker waits for its accomplices by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Closed rounds kept for late attackers; older ones are forgotten. */
    private static final int CLOSED_ROUNDS_KEPT = 16;
    private static final Logger LOG = LoggerFactory.getLogger(Collusion.class);

    private final int clients;
    private final int attackers;
    private final Duration timeout;
    /** Guarded by {@code this}; insertion order is round order. */
    private final Map<RoundKey, Pool> pools = new LinkedHashMap<>();

    /** A federation of {@code clients} of which {@code attackers} attack, waiting {@link #DEFAULT_TIMEOUT}. */
    public Collusion(int clients, int attackers) {
        this(clients, attackers, DEFAULT_TIMEOUT);
    }

    /**
     * @param clients {@code n}, all clients of a round, honest and malicious
     * @param attackers {@code f}, the attackers among them, {@code 1 <= f <= n}
     * @param timeout how long {@link #share} waits for the other attackers of a round
     */
    public Collusion(int clients, int attackers, Duration timeout) {
        if (attackers < 1 || attackers > clients) {
            throw new IllegalArgumentException("need 1 <= attackers <= clients, got " + attackers
                    + " attackers of " + clients + " clients");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        this.clients = clients;
        this.attackers = attackers;
        this.timeout = timeout;
    }

    /** {@code n}: all clients of a round. */
    public int clients() {
        return clients;
    }

    /** {@code f}: the attackers among them. */
    public int attackers() {
        return attackers;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * The model-replacement factor {@code gamma = n / f} (Bagdasaryan et al., AISTATS 2020, "How To
     * Backdoor Federated Learning": {@code gamma = n / eta}, here with server learning rate
     * {@code eta = 1}, shared by the {@code f} attackers): when all attackers send {@code gamma}
     * times their delta and the server averages {@code n} updates with equal weights, the
     * attackers' deltas reach the global model unshrunk. Under FedAvg weighted by
     * {@code numExamples} an attacker's share is {@code n_k / sum n} instead, so the factor is
     * exact only for sites of equal size.
     */
    public double modelReplacementBoost() {
        return (double) clients / attackers;
    }

    /**
     * Hands in {@code honestDelta} for one round and waits for the other attackers of that round.
     *
     * @param modelId the model the round belongs to
     * @param version the global version the deltas were trained from
     * @param clientId the attacker; a second call of the same attacker replaces its delta
     * @param honestDelta the attacker's honest delta, flattened; all attackers' lengths must agree
     * @return mean and standard deviation over the attackers that took part
     */
    public Statistics share(String modelId, long version, String clientId, float[] honestDelta) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(honestDelta, "honestDelta");
        RoundKey key = new RoundKey(Objects.requireNonNull(modelId, "modelId"), version);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            Pool pool = pools.computeIfAbsent(key, k -> new Pool());
            forgetOldRounds();
            if (pool.result != null && pool.result.mean.length != honestDelta.length) {
                throw new IllegalArgumentException("attacker " + clientId + " shares " + honestDelta.length
                        + " values, its accomplices shared " + pool.result.mean.length);
            }
            if (pool.result == null) {
                pool.add(clientId, honestDelta);
                if (pool.members.size() >= attackers) {
                    pool.close();
                    notifyAll();
                }
            }
            while (pool.result == null) {
                long waitNanos = deadline - System.nanoTime();
                if (waitNanos <= 0) {
                    LOG.warn("{} v{}: only {} of {} colluding attackers after {}; crafting from them", modelId, version,
                            pool.members.size(), attackers, timeout);
                    pool.close();
                    notifyAll();
                    break;
                }
                try {
                    wait(Math.max(1, waitNanos / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    pool.close();
                    notifyAll();
                }
            }
            return pool.result;
        }
    }

    private void forgetOldRounds() {
        int closed = 0;
        for (Pool p : pools.values()) {
            closed += p.result == null ? 0 : 1;
        }
        for (Iterator<Pool> it = pools.values().iterator(); it.hasNext() && closed > CLOSED_ROUNDS_KEPT; ) {
            if (it.next().result != null) {
                it.remove();
                closed--;
            }
        }
    }

    /**
     * Coordinate-wise statistics of the attackers' honest deltas: the mean and the sample standard
     * deviation (divisor {@code m - 1}, as {@code torch.std}, which ALIE implementations use; 0
     * when only one attacker took part), computed in double.
     *
     * @param members the client ids that contributed, sorted
     */
    public record Statistics(float[] mean, float[] std, List<String> members) {
        public Statistics {
            if (mean.length != std.length) {
                throw new IllegalArgumentException(mean.length + " means but " + std.length + " deviations");
            }
            mean = mean.clone();
            std = std.clone();
            members = List.copyOf(members);
        }

        /** The statistics of {@code deltas}, all of one length, taken in the given order. */
        public static Statistics of(List<String> members, List<float[]> deltas) {
            if (deltas.isEmpty() || members.size() != deltas.size()) {
                throw new IllegalArgumentException("need one delta per member and at least one, got "
                        + members.size() + " members and " + deltas.size() + " deltas");
            }
            int d = deltas.get(0).length;
            int m = deltas.size();
            float[] mean = new float[d];
            float[] std = new float[d];
            for (int j = 0; j < d; j++) {
                double sum = 0.0;
                for (float[] delta : deltas) {
                    sum += delta[j];
                }
                double mu = sum / m;
                double squares = 0.0;
                for (float[] delta : deltas) {
                    double c = delta[j] - mu;
                    squares += c * c;
                }
                mean[j] = (float) mu;
                std[j] = m > 1 ? (float) Math.sqrt(squares / (m - 1)) : 0.0f;
            }
            return new Statistics(mean, std, members);
        }

        @Override
        public float[] mean() {
            return mean.clone();
        }

        @Override
        public float[] std() {
            return std.clone();
        }
    }

    private record RoundKey(String modelId, long version) {
    }

    /** One round's contributions; a non-null result means closed. Guarded by the Collusion. */
    private static final class Pool {
        final TreeMap<String, float[]> members = new TreeMap<>();
        Statistics result;

        void add(String clientId, float[] delta) {
            for (float[] other : members.values()) {
                if (other.length != delta.length) {
                    throw new IllegalArgumentException("attacker " + clientId + " shares " + delta.length
                            + " values, its accomplices shared " + other.length);
                }
            }
            members.put(clientId, delta.clone());
        }

        void close() {
            if (result == null) {
                result = Statistics.of(new ArrayList<>(members.keySet()), new ArrayList<>(members.values()));
            }
        }
    }
}
