package io.floe.core.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClientSelectionTest {
    private static final List<String> SIX = List.of("site-0", "site-1", "site-2", "site-3", "site-4", "site-5");

    @Test
    void unitHashIsStableAndInUnitInterval() {
        // Execute
        double a = ClientSelection.unitHash(7, 3, "site-1");
        double b = ClientSelection.unitHash(7, 3, "site-1");

        // Assert: same inputs, same draw; any input changes it
        assertThat(a).isEqualTo(b).isBetween(0.0, 1.0).isLessThan(1.0);
        assertThat(ClientSelection.unitHash(8, 3, "site-1")).isNotEqualTo(a);
        assertThat(ClientSelection.unitHash(7, 4, "site-1")).isNotEqualTo(a);
        assertThat(ClientSelection.unitHash(7, 3, "site-2")).isNotEqualTo(a);
    }

    @Test
    void rateZeroSelectsNobodyAndRateOneEverybody() {
        for (String c : SIX) {
            assertThat(ClientSelection.poissonSelected(1, 1, c, 0.0)).isFalse();
            assertThat(ClientSelection.poissonSelected(1, 1, c, 1.0)).isTrue();
        }
    }

    @Test
    void poissonSampleFrequencyIsCloseToQ() {
        // Prepare: 20000 clients; the share sampled is Binomial(n, q)/n with std sqrt(q(1-q)/n) ~ 0.0032
        int n = 20_000;
        double q = 0.3;

        // Execute
        long selected = IntStream.range(0, n).filter(i -> ClientSelection.poissonSelected(42, 5, "c" + i, q)).count();

        // Assert: within 5 standard deviations
        assertThat(selected / (double) n).isCloseTo(q, within(0.016));
    }

    @Test
    void eachVersionDrawsAFreshSample() {
        // Execute
        List<String> v1 = ClientSelection.select(many(100), 42, 1, 0.5, 1, 0).clients();
        List<String> v2 = ClientSelection.select(many(100), 42, 2, 0.5, 1, 0).clients();

        // Assert
        assertThat(v1).isNotEqualTo(v2);
    }

    @Test
    void defaultsSelectEveryone() {
        // Execute
        ClientSelection.Selection s = ClientSelection.select(SIX, 42, 1, 1.0, 1, 0);

        // Assert
        assertThat(s.isEveryone()).isTrue();
        assertThat(s.note()).isEmpty();
    }

    @Test
    void selectionIsThePoissonSampleOfAvailableClientsSortedAndDeterministic() {
        // Prepare: the expected sample, straight from the hash
        List<String> expected = SIX.stream().filter(c -> ClientSelection.unitHash(42, 3, c) < 0.5).sorted().toList();

        // Execute: input order does not matter
        List<String> reversed = new ArrayList<>(SIX);
        java.util.Collections.reverse(reversed);
        ClientSelection.Selection s = ClientSelection.select(reversed, 42, 3, 0.5, 0, 0);

        // Assert
        assertThat(s.clients()).isEqualTo(expected);
        assertThat(ClientSelection.select(SIX, 42, 3, 0.5, 0, 0)).isEqualTo(s);
    }

    @Test
    void sampleIsToppedUpToMinFitClientsByLowestHash() {
        // Prepare: q = 0 samples nobody; the top-up takes the 2 clients of lowest u
        List<String> byHash = new ArrayList<>(SIX);
        byHash.sort(Comparator.comparingDouble(c -> ClientSelection.unitHash(9, 1, c)));

        // Execute
        ClientSelection.Selection s = ClientSelection.select(SIX, 9, 1, 0.0, 2, 0);

        // Assert
        assertThat(s.clients()).containsExactlyInAnyOrder(byHash.get(0), byHash.get(1)).isSorted();
        assertThat(s.note()).contains("2 of 6 available", "0 sampled", "2 topped up");
    }

    @Test
    void topUpIsBoundedByTheAvailableClients() {
        // Execute
        ClientSelection.Selection s = ClientSelection.select(List.of("a", "b"), 9, 1, 0.0, 5, 0);

        // Assert
        assertThat(s.clients()).containsExactly("a", "b");
    }

    @Test
    void fewerThanMinAvailableAsksEveryClientAndSaysSo() {
        // Execute
        ClientSelection.Selection s = ClientSelection.select(SIX, 42, 1, 0.5, 2, 10);

        // Assert
        assertThat(s.isEveryone()).isTrue();
        assertThat(s.note()).contains("6 clients available", "minAvailableClients 10", "every client");
    }

    @Test
    void noAvailableClientNeverYieldsAnEmptySelection() {
        // Execute
        ClientSelection.Selection s = ClientSelection.select(List.of(), 42, 1, 0.5, 2, 0);

        // Assert
        assertThat(s.isEveryone()).isTrue();
    }

    @Test
    void rateOneWithAMinimumSelectsEveryAvailableClient() {
        // Execute
        ClientSelection.Selection s = ClientSelection.select(SIX, 42, 1, 1.0, 1, 3);

        // Assert
        assertThat(s.clients()).isEqualTo(SIX);
    }

    @Test
    void rejectsRatesOutsideTheUnitInterval() {
        assertThatThrownBy(() -> ClientSelection.select(SIX, 1, 1, 1.5, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fractionFit");
        assertThatThrownBy(() -> ClientSelection.poissonSelected(1, 1, "a", Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> many(int n) {
        return IntStream.range(0, n).mapToObj(i -> "c" + i).toList();
    }
}
