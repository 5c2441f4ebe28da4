package io.floe.core.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyncRoundTest {

    @Test
    void freshRoundAdmitsAClientOnTheOpenVersion() {
        // Prepare
        SyncRound round = SyncRound.open(4, 2);

        // Execute
        Optional<Rejection> rejection = round.admissionCheck("alice", 4);

        // Assert
        assertThat(rejection).isEmpty();
        assertThat(round.openVersion()).isEqualTo(4);
        assertThat(round.clientsPerRound()).isEqualTo(2);
        assertThat(round.acceptedCount()).isZero();
        assertThat(round.isComplete()).isFalse();
    }

    @Test
    void lateUpdateIsLate() {
        // Prepare
        SyncRound round = SyncRound.open(4, 2);

        // Execute
        Optional<Rejection> rejection = round.admissionCheck("alice", 3);

        // Assert
        assertThat(rejection).get().extracting(Rejection::reason).isEqualTo(RejectionReason.LATE_UPDATE);
        assertThat(rejection.get().detail()).contains("version 3").contains("version 4").contains("late");
    }

    @Test
    void updateFromTheFutureHasWrongBaseVersion() {
        // Prepare
        SyncRound round = SyncRound.open(4, 2);

        // Execute
        Optional<Rejection> rejection = round.admissionCheck("alice", 5);

        // Assert
        assertThat(rejection).get().extracting(Rejection::reason).isEqualTo(RejectionReason.WRONG_BASE_VERSION);
        assertThat(rejection.get().detail()).contains("from the future");
    }

    @Test
    void secondUpdateOfAClientIsDuplicate() {
        // Prepare
        SyncRound round = SyncRound.open(0, 3);
        round.accept("alice");

        // Execute
        Optional<Rejection> rejection = round.admissionCheck("alice", 0);

        // Assert
        assertThat(rejection).get().extracting(Rejection::reason).isEqualTo(RejectionReason.DUPLICATE_CLIENT);
        assertThat(round.admissionCheck("bob", 0)).isEmpty();
        assertThatThrownBy(() -> round.accept("alice")).isInstanceOf(IllegalStateException.class);
        assertThat(round.acceptedCount()).isEqualTo(1);
    }

    @Test
    void completesAtClientsPerRound() {
        // Prepare
        SyncRound round = SyncRound.open(0, 3);

        // Execute / Assert
        round.accept("alice");
        round.accept("bob");
        assertThat(round.isComplete()).isFalse();
        round.accept("carol");
        assertThat(round.isComplete()).isTrue();
        assertThat(round.acceptedClients()).containsExactlyInAnyOrder("alice", "bob", "carol");
    }

    @Test
    void acceptAfterCompleteThrows() {
        // Prepare
        SyncRound round = SyncRound.open(2, 1);
        round.accept("alice");

        // Execute / Assert
        assertThatThrownBy(() -> round.accept("bob"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already complete");
        assertThat(round.acceptedCount()).isEqualTo(1);
    }

    @Test
    void restoreKeepsAcceptedClients() {
        // Execute
        SyncRound round = SyncRound.restore(6, 3, List.of("alice", "bob"));

        // Assert
        assertThat(round.openVersion()).isEqualTo(6);
        assertThat(round.acceptedCount()).isEqualTo(2);
        assertThat(round.acceptedClients()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(round.admissionCheck("bob", 6)).get().extracting(Rejection::reason)
                .isEqualTo(RejectionReason.DUPLICATE_CLIENT);
        round.accept("carol");
        assertThat(round.isComplete()).isTrue();
    }

    @Test
    void restoreDoesNotShareTheCallersCollection() {
        // Prepare
        List<String> accepted = new java.util.ArrayList<>(List.of("alice"));
        SyncRound round = SyncRound.restore(0, 3, accepted);

        // Execute
        round.accept("bob");
        accepted.add("carol");

        // Assert
        assertThat(round.acceptedClients()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(accepted).containsExactly("alice", "carol");
    }

    @Test
    void nextOpensTheFollowingVersionEmpty() {
        // Prepare
        SyncRound round = SyncRound.open(7, 2);
        round.accept("alice");
        round.accept("bob");

        // Execute
        SyncRound next = round.next();

        // Assert
        assertThat(next.openVersion()).isEqualTo(8);
        assertThat(next.clientsPerRound()).isEqualTo(2);
        assertThat(next.acceptedCount()).isZero();
        assertThat(next.admissionCheck("alice", 8)).isEmpty();
        assertThat(next.admissionCheck("alice", 7)).get().extracting(Rejection::reason)
                .isEqualTo(RejectionReason.LATE_UPDATE);
    }

    @Test
    void acceptedClientsIsASnapshot() {
        // Prepare
        SyncRound round = SyncRound.open(0, 3);
        round.accept("alice");

        // Execute
        var snapshot = round.acceptedClients();
        round.accept("bob");

        // Assert
        assertThat(snapshot).containsExactly("alice");
        assertThatThrownBy(() -> snapshot.add("eve")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsInvalidConfiguration() {
        // Execute / Assert
        assertThatThrownBy(() -> SyncRound.open(-1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyncRound.open(0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientsPerRound");
    }
}
