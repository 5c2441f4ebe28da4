package io.floe.core.round;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The state machine of one synchronous round (FedAvg family): version {@code v} is open,
 * clients contribute at most one update each, trained from {@code v}; the round is complete once
 * {@code clientsPerRound} updates are accepted, after which {@link #next()} opens {@code v+1}.
 *
 * <p>Call order: {@link #admissionCheck} (pure), then {@link #accept} for an update that passed
 * every other check, then {@link #isComplete}. The Flink operator keeps the accepted client ids
 * in keyed state and rebuilds the round with {@link #restore}.
 *
 * <p>A round with a deadline ({@link RoundDeadline}) may also close before it is complete, once
 * the deadline has passed and it {@link #hasQuorum has a quorum}.
 */
public final class SyncRound {
    private final long openVersion;
    private final int clientsPerRound;
    private final Set<String> acceptedClients;
    private final Set<String> excludedClients;

    private SyncRound(long openVersion, int clientsPerRound, Collection<String> acceptedClients,
            Collection<String> excludedClients) {
        if (openVersion < 0) {
            throw new IllegalArgumentException("open version must be >= 0, was " + openVersion);
        }
        if (clientsPerRound < 1) {
            throw new IllegalArgumentException("clientsPerRound must be >= 1, was " + clientsPerRound);
        }
        this.openVersion = openVersion;
        this.clientsPerRound = clientsPerRound;
        this.acceptedClients = new LinkedHashSet<>(acceptedClients);
        this.excludedClients = new LinkedHashSet<>(excludedClients);
    }

    /** A fresh round on {@code version} with nobody accepted yet. */
    public static SyncRound open(long version, int clientsPerRound) {
        return new SyncRound(version, clientsPerRound, Set.of(), Set.of());
    }

    /** The round as it was when these clients had been accepted (e.g. after a restore from a checkpoint). */
    public static SyncRound restore(long version, int clientsPerRound, Collection<String> acceptedClients) {
        return new SyncRound(version, clientsPerRound, acceptedClients, Set.of());
    }

    /** As {@link #restore(long, int, Collection)}, with clients that responded but were excluded. */
    public static SyncRound restore(long version, int clientsPerRound, Collection<String> acceptedClients,
            Collection<String> excludedClients) {
        return new SyncRound(version, clientsPerRound, acceptedClients, excludedClients);
    }

    /** Why this client's update trained from {@code baseVersion} cannot join, or empty if it can. */
    public Optional<Rejection> admissionCheck(String clientId, long baseVersion) {
        if (baseVersion < openVersion) {
            return Optional.of(Rejection.of(RejectionReason.LATE_UPDATE,
                    "update trained from version " + baseVersion + " but version " + openVersion + " is open (late: its round has closed)"));
        }
        if (baseVersion > openVersion) {
            return Optional.of(Rejection.of(RejectionReason.WRONG_BASE_VERSION,
                    "update trained from version " + baseVersion + " but version " + openVersion + " is open (from the future)"));
        }
        if (acceptedClients.contains(clientId) || excludedClients.contains(clientId)) {
            return Optional.of(Rejection.of(RejectionReason.DUPLICATE_CLIENT,
                    "client " + clientId + " already contributed to the round on version " + openVersion));
        }
        return Optional.empty();
    }

    /** Records an admitted client. @throws IllegalStateException if the round would not admit it */
    public void accept(String clientId) {
        Optional<Rejection> r = admissionCheck(clientId, openVersion);
        if (r.isPresent()) {
            throw new IllegalStateException(r.get().detail());
        }
        if (isComplete()) {
            throw new IllegalStateException("round on version " + openVersion + " is already complete");
        }
        acceptedClients.add(clientId);
    }

    /**
     * Records a client that responded to this round but whose update is excluded from it (e.g. a
     * quarantined client): it takes its seat in the round, so a round whose population includes
     * excluded clients still completes, and it cannot send a second update to the same round.
     *
     * @throws IllegalStateException if the round would not admit the client
     */
    public void exclude(String clientId) {
        Optional<Rejection> r = admissionCheck(clientId, openVersion);
        if (r.isPresent()) {
            throw new IllegalStateException(r.get().detail());
        }
        excludedClients.add(clientId);
    }

    /** Complete once accepted plus excluded responses reach {@code clientsPerRound}. */
    public boolean isComplete() {
        return acceptedClients.size() + excludedClients.size() >= clientsPerRound;
    }

    /**
     * Whether the round may close at its deadline: at least {@code minFitClients} updates were
     * accepted. Excluded (e.g. quarantined) responses take a seat but do not count here.
     */
    public boolean hasQuorum(int minFitClients) {
        if (minFitClients < 1) {
            throw new IllegalArgumentException("minFitClients must be >= 1, was " + minFitClients);
        }
        return acceptedClients.size() >= minFitClients;
    }

    /** The round on the version this one publishes. */
    public SyncRound next() {
        return open(openVersion + 1, clientsPerRound);
    }

    public long openVersion() {
        return openVersion;
    }

    public int clientsPerRound() {
        return clientsPerRound;
    }

    public int acceptedCount() {
        return acceptedClients.size();
    }

    public int excludedCount() {
        return excludedClients.size();
    }

    public Set<String> acceptedClients() {
        return Set.copyOf(acceptedClients);
    }
}
