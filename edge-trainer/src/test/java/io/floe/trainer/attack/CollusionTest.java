package io.floe.trainer.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CollusionTest {

    @Test
    void allAttackersOfARoundGetTheSameStatisticsWhateverTheirArrivalOrder() throws Exception {
        Collusion collusion = new Collusion(10, 3, Duration.ofSeconds(10));

        CompletableFuture<Collusion.Statistics> c = CompletableFuture.supplyAsync(
                () -> collusion.share("m", 4, "carol", new float[] {2f, 5f}));
        CompletableFuture<Collusion.Statistics> a = CompletableFuture.supplyAsync(
                () -> collusion.share("m", 4, "alice", new float[] {1f, 2f}));
        Collusion.Statistics b = collusion.share("m", 4, "bob", new float[] {3f, 2f});

        for (Collusion.Statistics s : List.of(a.get(5, TimeUnit.SECONDS), b, c.get(5, TimeUnit.SECONDS))) {
            assertThat(s.members()).containsExactly("alice", "bob", "carol");
            assertThat(s.mean()).containsExactly(2f, 3f);
            assertThat(s.std()).containsExactly(1f, (float) Math.sqrt(3));
        }
    }

    @Test
    void roundsOfDifferentVersionsAndModelsArePooledApart() {
        Collusion collusion = new Collusion(10, 1);

        Collusion.Statistics v1 = collusion.share("m", 1, "alice", new float[] {1f});
        Collusion.Statistics v2 = collusion.share("m", 2, "alice", new float[] {5f});
        Collusion.Statistics other = collusion.share("n", 1, "alice", new float[] {7f});

        assertThat(v1.mean()).containsExactly(1f);
        assertThat(v2.mean()).containsExactly(5f);
        assertThat(other.mean()).containsExactly(7f);
    }

    @Test
    void aLoneAttackerCraftsFromItselfAfterTheTimeoutAndLateOnesGetThatRound() {
        Collusion collusion = new Collusion(10, 3, Duration.ofMillis(50));

        long start = System.nanoTime();
        Collusion.Statistics alone = collusion.share("m", 0, "alice", new float[] {1f, -2f});
        Collusion.Statistics late = collusion.share("m", 0, "bob", new float[] {9f, 9f});

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(alone.members()).containsExactly("alice");
        assertThat(alone.mean()).containsExactly(1f, -2f);
        assertThat(alone.std()).containsExactly(0f, 0f);
        assertThat(late.members()).containsExactly("alice");
        assertThat(late.mean()).containsExactly(1f, -2f);
    }

    @Test
    void rejectsDeltasOfAnotherLengthAndImpossibleFederations() {
        Collusion collusion = new Collusion(10, 1);
        collusion.share("m", 0, "alice", new float[] {1f, 2f});

        assertThatThrownBy(() -> collusion.share("m", 0, "bob", new float[] {1f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attacker bob shares 1 values, its accomplices shared 2");
        assertThatThrownBy(() -> new Collusion(3, 4)).hasMessageContaining("1 <= attackers <= clients");
        assertThatThrownBy(() -> new Collusion(3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Collusion(10, 3).modelReplacementBoost()).isEqualTo(10.0 / 3);
    }
}
