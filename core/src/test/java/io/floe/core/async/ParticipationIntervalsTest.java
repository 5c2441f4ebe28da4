package io.floe.core.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.async.ParticipationIntervals.ParticipationHistory;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FedAU-style participation intervals over FedBuff steps, against values worked out by hand. */
class ParticipationIntervalsTest {
    private static final double EPS = 1e-12;

    /** An update of {@code client} trained from {@code base}; the delta does not matter here. */
    private static ClientUpdate u(String updateId, String client, long base) {
        return new ClientUpdate(updateId, client, base, 1, 1, new ModelWeights(List.of(new Tensor("w", new int[] {1}, new float[] {1f}))),
                Map.of());
    }

    @Test
    void correctionsFollowTheMeanIntervalOverTheHarmonicMean() {
        // Prepare: K = 2, cap 100; a is fast (every version), b and c slower
        ParticipationIntervals p = ParticipationIntervals.empty(100, 2);

        // Execute + Assert, step 0 -> 1 (V = 1): a and b from base 0, first intervals 1 - 0 = 1 each.
        // I_a = I_b = 1; active {a, b}; H = 2 / (1 + 1) = 1; c_a = c_b = 1
        Map<String, Double> v1 = p.recordStep(1, List.of(u("u1b", "b", 0), u("u1a", "a", 0)));
        assertThat(v1).containsOnlyKeys("a", "b");
        assertThat(v1.get("a")).isCloseTo(1.0, within(EPS));
        assertThat(v1.get("b")).isCloseTo(1.0, within(EPS));

        // V = 2: a from base 1: interval 2 - 1 = 1, sum 2 over 2, I_a = 1;
        // c from base 0, first: interval 2 - 0 = 2 (staleness 1, + 1), I_c = 2.
        // active {a, b, c} (b last at 1 >= 2 - 100): H = 3 / (1/1 + 1/1 + 1/2) = 3 / 2.5 = 1.2
        // c_a = 1 / 1.2 = 5/6, c_c = 2 / 1.2 = 5/3
        Map<String, Double> v2 = p.recordStep(2, List.of(u("u2a", "a", 1), u("u2c", "c", 0)));
        assertThat(p.harmonicMean(2)).isCloseTo(1.2, within(EPS));
        assertThat(v2).containsOnlyKeys("a", "c");
        assertThat(v2.get("a")).isCloseTo(5.0 / 6, within(EPS));
        assertThat(v2.get("c")).isCloseTo(5.0 / 3, within(EPS));

        // V = 3: a from base 2: interval 1, sum 3 over 3, I_a = 1; b from base 1 with history (last 1):
        // interval 3 - 1 = 2, sum 1 + 2 = 3 over 2, I_b = 1.5. Active {a, b, c}, I_c = 2:
        // H = 3 / (1 + 2/3 + 1/2) = 3 / (13/6) = 18/13; c_a = 13/18, c_b = 1.5 * 13/18 = 13/12
        Map<String, Double> v3 = p.recordStep(3, List.of(u("u3a", "a", 2), u("u3b", "b", 1)));
        assertThat(p.meanInterval("b")).isCloseTo(1.5, within(EPS));
        assertThat(p.harmonicMean(3)).isCloseTo(18.0 / 13, within(EPS));
        assertThat(v3.get("a")).isCloseTo(13.0 / 18, within(EPS));
        assertThat(v3.get("b")).isCloseTo(13.0 / 12, within(EPS));
        assertThat(p.histories()).containsExactly(
                entry("a", new ParticipationHistory(3, 3, 3)),
                entry("b", new ParticipationHistory(3, 3, 2)),
                entry("c", new ParticipationHistory(2, 2, 1)));
    }

    @Test
    void intervalsAreCappedAndAFirstIntervalIsTheStalenessPlusOne() {
        // cap 3, K = 2, V = 10: d from base 2, first interval 10 - 2 = 8, capped to 3 -> I_d = 3;
        // e from base 8 (staleness 9 - 8 = 1): first interval 1 + 1 = 2 -> I_e = 2.
        // H = 2 / (1/3 + 1/2) = 2 / (5/6) = 2.4; c_d = 3 / 2.4 = 1.25, c_e = 2 / 2.4 = 5/6
        ParticipationIntervals p = ParticipationIntervals.empty(3, 2);
        Map<String, Double> c = p.recordStep(10, List.of(u("ud", "d", 2), u("ue", "e", 8)));
        assertThat(p.histories().get("d")).isEqualTo(new ParticipationHistory(10, 3, 1));
        assertThat(p.histories().get("e")).isEqualTo(new ParticipationHistory(10, 2, 1));
        assertThat(c.get("d")).isCloseTo(1.25, within(EPS));
        assertThat(c.get("e")).isCloseTo(5.0 / 6, within(EPS));

        // a gap with history is capped too: d again at V = 20 (20 - 10 = 10 -> 3): sum 6 over 2, I_d = 3
        p.recordStep(20, List.of(u("ud2", "d", 19)));
        assertThat(p.histories().get("d")).isEqualTo(new ParticipationHistory(20, 6, 2));
    }

    @Test
    void clientsInactiveForMoreThanTheCapAreLeftOutOfTheHarmonicMean() {
        // cap 3, K = 1. x last took part in version 1 (I_x = 1), y in version 2 (I_y = 4 / 2 = 2).
        // At V = 5 the window is lastVersion >= 5 - 3 = 2: x is out, y (on the boundary) is in.
        ParticipationIntervals p = new ParticipationIntervals(3, 1, Map.of(
                "x", new ParticipationHistory(1, 1, 1),
                "y", new ParticipationHistory(2, 4, 2)));
        // z from base 4, first interval 5 - 4 = 1, I_z = 1. Active {y, z}: H = 2 / (1/2 + 1) = 4/3,
        // c_z = 3/4 (with x counted it would be H = 3 / 2.5 = 1.2 and c_z = 5/6)
        Map<String, Double> c = p.recordStep(5, List.of(u("uz", "z", 4)));
        assertThat(p.isActive("x", 5)).isFalse();
        assertThat(p.isActive("y", 5)).isTrue();
        assertThat(p.harmonicMean(5)).isCloseTo(4.0 / 3, within(EPS));
        assertThat(c).containsOnlyKeys("z");
        assertThat(c.get("z")).isCloseTo(0.75, within(EPS));
        assertThat(p.histories()).containsKey("x"); // left out of H, not forgotten
    }

    @Test
    void equalParticipationRatesLeaveFedBuffUnchanged() {
        // K = 3, a, b and c each send one update per version, trained from the previous one:
        // every interval is 1, every I = 1, H = 1, every c = 1
        ParticipationIntervals p = ParticipationIntervals.empty(100, 3);
        for (long v = 1; v <= 4; v++) {
            Map<String, Double> c = p.recordStep(v, List.of(u("a" + v, "a", v - 1), u("b" + v, "b", v - 1), u("c" + v, "c", v - 1)));
            assertThat(c.values()).allSatisfy(x -> assertThat(x).isCloseTo(1.0, within(EPS)));
        }

        // equal rates, staggered: p and q each every second version (I = 2 each): c_p = 2 / 2 = 1
        ParticipationIntervals staggered = new ParticipationIntervals(100, 1, Map.of(
                "p", new ParticipationHistory(9, 10, 5),
                "q", new ParticipationHistory(10, 10, 5)));
        // p from base 9 into 11: interval 11 - 9 = 2, sum 12 over 6, I_p = 2
        assertThat(staggered.recordStep(11, List.of(u("up", "p", 9))).get("p")).isCloseTo(1.0, within(EPS));
    }

    @Test
    void aClientWithTwoUpdatesInOneBufferRecordsBoth() {
        // K = 3; a: last 3, 3 intervals summing to 3; b: last 2, 2 intervals summing to 4.
        ParticipationIntervals p = new ParticipationIntervals(100, 3, Map.of(
                "a", new ParticipationHistory(3, 3, 3),
                "b", new ParticipationHistory(2, 4, 2)));
        // V = 4, sorted by updateId: u-a1 (a): 4 - 3 = 1 -> sum 4 over 4; u-a2 (a): 4 - 4 = 0 -> sum 4
        // over 5, I_a = 0.8; u-b (b): 4 - 2 = 2 -> sum 6 over 3, I_b = 2.
        // H = 2 / (1/0.8 + 1/2) = 2 / 1.75 = 8/7; c_a = 0.8 * 7/8 = 0.7, c_b = 2 * 7/8 = 1.75
        List<ClientUpdate> buffer = new ArrayList<>(List.of(u("u-b", "b", 2), u("u-a2", "a", 2), u("u-a1", "a", 3)));
        Map<String, Double> c = p.recordStep(4, buffer);
        assertThat(p.histories().get("a")).isEqualTo(new ParticipationHistory(4, 4, 5));
        assertThat(p.histories().get("b")).isEqualTo(new ParticipationHistory(4, 6, 3));
        assertThat(c).containsOnlyKeys("a", "b");
        assertThat(c.get("a")).isCloseTo(0.7, within(EPS));
        assertThat(c.get("b")).isCloseTo(1.75, within(EPS));

        // the same buffer in another order gives the same statistics and corrections
        ParticipationIntervals again = new ParticipationIntervals(100, 3, Map.of(
                "a", new ParticipationHistory(3, 3, 3),
                "b", new ParticipationHistory(2, 4, 2)));
        Collections.reverse(buffer);
        assertThat(again.recordStep(4, buffer)).isEqualTo(c);
        assertThat(again.histories()).isEqualTo(p.histories());
    }

    @Test
    void theMeanIntervalIsFlooredAtOneOverTheBufferSize() {
        // two intervals of 0 (mean 0) with K = 4: I = 1/4
        ParticipationIntervals p = new ParticipationIntervals(100, 4, Map.of("w", new ParticipationHistory(5, 0, 2)));
        assertThat(p.meanInterval("w")).isEqualTo(0.25);
    }

    @Test
    void refusesWhatCannotHappen() {
        ParticipationIntervals p = ParticipationIntervals.empty(100, 2);
        assertThatThrownBy(() -> p.recordStep(3, List.of(u("u", "a", 3)))).hasMessageContaining("base must be older");
        assertThatThrownBy(() -> p.recordStep(3, List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> p.meanInterval("nobody")).hasMessageContaining("no participation history");
        assertThatThrownBy(() -> ParticipationIntervals.empty(0, 2)).hasMessageContaining("cap");
        ParticipationIntervals later = new ParticipationIntervals(100, 2, Map.of("a", new ParticipationHistory(9, 9, 9)));
        assertThatThrownBy(() -> later.recordStep(5, List.of(u("u", "a", 4)))).hasMessageContaining("last took part in version 9");
    }
}
