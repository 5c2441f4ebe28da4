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

    @Test
    void bulyanRunsHereButSendsNoCosineShares() {
        // Execute / Assert
        assertThat(CoordinateWiseChunk.handles("bulyan")).isTrue();
        assertThat(CoordinateWiseChunk.handles(" Bulyan ")).isTrue();
        assertThat(CoordinateWiseChunk.sharesCosines("bulyan")).isFalse();
        assertThat(CoordinateWiseChunk.sharesCosines(" BULYAN ")).isFalse();
        assertThat(CoordinateWiseChunk.sharesCosines("median")).isTrue();
        assertThat(CoordinateWiseChunk.sharesCosines("trimmed-mean")).isTrue();
        assertThat(CoordinateWiseChunk.sharesCosines("krum")).isFalse();
        assertThat(CoordinateWiseChunk.sharesCosines("fedavg")).isFalse();
    }

    @Test
    void bulyanChunkByHand() {
        // Arrange: the five members Krum chose, a four-value chunk, β = 3
        List<float[]> chosen = List.of(new float[] {3f, 0.5f, 0f, 1f}, new float[] {2f, 0.25f, 0f, 1f},
                new float[] {3f, 100f, 5f, 1f}, new float[] {10f, -100f, 6f, 1f}, new float[] {4f, 1f, 7f, 1f});

        // Execute
        float[] delta = CoordinateWiseChunk.delta(4, chosen, "bulyan", 3);
        float[] next = CoordinateWiseChunk.next(new float[] {1f, 0f, 0f, -1f}, chosen, "bulyan", 3, 0.5f);

        // Assert: coordinate 0: sorted {2, 3, 3, 4, 10}, median 3; 3, 3, then of 2 and 4 (equally far) the smaller:
        //   (3 + 3 + 2) / 3 = 8 / 3 (taking 4 would give 10 / 3)
        // coordinate 1: sorted {-100, 0.25, 0.5, 1, 100}, median 0.5; 0.5, then 0.25 (0.25 away, 1 is 0.5 away), then 1:
        //   1.75 / 3
        // coordinate 2: sorted {0, 0, 5, 6, 7}, median 5; 5, then 6 (1 away, 0 is 5 away), then 7 (2 away): 18 / 3 = 6,
        //   where the trimmed mean with b = 1 would give (0 + 5 + 6) / 3
        // coordinate 3: all 1
        assertThat(delta).containsExactly((float) (8.0 / 3), (float) (1.75 / 3), 6f, 1f);
        assertThat(CoordinateWiseChunk.delta(4, chosen, "trimmed-mean", 1)[2]).isEqualTo((float) (11.0 / 3));
        assertThat(next).containsExactly(1f + 0.5f * (float) (8.0 / 3), 0.5f * (float) (1.75 / 3), 0.5f * 6f, -1f + 0.5f * 1f);
    }
}
