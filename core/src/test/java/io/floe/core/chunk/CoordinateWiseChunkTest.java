package io.floe.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinateWiseChunkTest {

    @Test
    void medianAndTrimmedMeanByHand() {
        // Prepare: five updates of a two-value chunk, one of them wild
        float[] base = {1f, -1f};
        List<float[]> members = List.of(new float[] {0.1f, 4f}, new float[] {0.3f, 2f}, new float[] {100f, -50f},
                new float[] {0.2f, 3f}, new float[] {0.4f, 1f});

        // Execute / Assert: median of {0.1, 0.3, 100, 0.2, 0.4} = 0.3, of {4, 2, -50, 3, 1} = 2
        assertThat(CoordinateWiseChunk.next(base, members, "median", 0, 1f)).containsExactly(1f + 0.3f, -1f + 2f);
        // trimmed mean, b = 1: mean of {0.2, 0.3, 0.4} and of {1, 2, 3}, with eta_g = 0.5
        float[] trimmed = CoordinateWiseChunk.next(base, members, "trimmed-mean", 1, 0.5f);
        assertThat(trimmed[0]).isCloseTo(1f + 0.5f * 0.3f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(trimmed[1]).isEqualTo(-1f + 0.5f * 2f);
    }

    @Test
    void knowsItsRulesAndKeepsTheModelWithoutMembers() {
        assertThat(CoordinateWiseChunk.handles("median")).isTrue();
        assertThat(CoordinateWiseChunk.handles(" Trimmed-Mean ")).isTrue();
        assertThat(CoordinateWiseChunk.handles("fedavg")).isFalse();
        assertThat(CoordinateWiseChunk.handles("krum")).isFalse();
        assertThat(CoordinateWiseChunk.next(new float[] {3f}, List.of(), "median", 0, 1f)).containsExactly(3f);
        assertThatThrownBy(() -> CoordinateWiseChunk.next(new float[] {3f}, List.<float[]>of(new float[] {1f}), "krum", 0, 1f))
                .hasMessageContaining("not a coordinate-wise rule");
    }
}
