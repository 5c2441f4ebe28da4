package io.floe.core.aggregate;

import static io.floe.core.aggregate.RoundFixtures.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NormClippingTest {

    @Test
    void fixedBoundScalesOnlyTheUpdatesAboveIt() {
        // Prepare: norms 5 (3,4) and 1 (0,1)
        ClientUpdate big = vector("big", 7, 3f, 4f);
        ClientUpdate small = vector("small", 3, 0f, 1f);

        // Execute
        NormClipping.Clipped clipped = new NormClipping(ClipBound.fixed(2.5)).clip(List.of(big, small));

        // Assert: factor 2.5 / 5 = 0.5; the small update passes through untouched
        assertThat(clipped.updates().get(0).delta().get("v").values()).containsExactly(1.5f, 2f);
        assertThat(clipped.updates().get(0).numExamples()).isEqualTo(7);
        assertThat(clipped.updates().get(0).updateId()).isEqualTo("big");
        assertThat(clipped.updates().get(1)).isSameAs(small);
        assertThat(clipped.bound()).isEqualTo(2.5);
        assertThat(clipped.norms()).containsEntry("big", 5.0).containsEntry("small", 1.0);
        assertThat(clipped.factors()).containsEntry("big", 0.5).containsEntry("small", 1.0);
    }

    @Test
    void normRunsOverAllTensors() {
        // Prepare: W = (1, 2, 2, 0), b = 4 -> sqrt(1 + 4 + 4 + 16) = 5
        ClientUpdate u = RoundFixtures.update("u", 1, new float[] {1f, 2f, 2f, 0f}, 4f);

        // Execute / Assert
        assertThat(NormClipping.l2Norm(u.delta())).isEqualTo(5.0);
        NormClipping.Clipped c = new NormClipping(ClipBound.fixed(1)).clip(List.of(u));
        assertThat(c.updates().get(0).delta().get("W").values()).containsExactly(0.2f, 0.4f, 0.4f, 0f);
        assertThat(c.updates().get(0).delta().get("b").values()).containsExactly(0.8f);
    }

    @Test
    void medianBoundClipsTheBoostedUpdateToATypicalNorm() {
        // Prepare: norms 1, 2, 3 and a boosted 300
        List<ClientUpdate> updates = List.of(vector("a", 1, 1f), vector("b", 1, -2f), vector("c", 1, 3f),
                vector("x", 1, 300f));

        // Execute
        NormClipping.Clipped c = new NormClipping(ClipBound.medianOfRound()).clip(updates);

        // Assert: the median of {1, 2, 3, 300} is 2.5
        assertThat(c.bound()).isEqualTo(2.5);
        assertThat(c.updates()).extracting(u -> u.delta().get("v").values()[0]).containsExactly(1f, -2f, 2.5f, 2.5f);
        assertThat(c.factors()).containsEntry("x", 2.5 / 300).containsEntry("a", 1.0);
    }

    @Test
    void zeroUpdatesAreNeverScaled() {
        // Execute
        NormClipping.Clipped c = new NormClipping(ClipBound.medianOfRound())
                .clip(List.of(vector("a", 1, 0f), vector("b", 1, 0f), vector("c", 1, 5f)));

        // Assert: bound 0 scales the non-zero update to zero, the zero ones keep factor 1
        assertThat(c.bound()).isZero();
        assertThat(c.factors()).containsEntry("a", 1.0).containsEntry("c", 0.0);
        assertThat(c.updates().get(2).delta().get("v").values()).containsExactly(0f);
    }

    @Test
    void configNamesMapToBounds() {
        // Execute / Assert
        assertThat(NormClipping.fromConfig("none", 0)).isEmpty();
        assertThat(NormClipping.fromConfig(null, 0)).isEmpty();
        assertThat(NormClipping.fromConfig("fixed", 3).orElseThrow().bound()).isEqualTo(ClipBound.fixed(3));
        assertThat(NormClipping.fromConfig("MEDIAN", 0).orElseThrow().bound()).isSameAs(ClipBound.medianOfRound());
        assertThatThrownBy(() -> NormClipping.fromConfig("fixed", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clip bound C must be positive and finite, was 0.0");
        assertThatThrownBy(() -> NormClipping.fromConfig("l1", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown clipping 'l1'; known: none, fixed, median");
    }
}
