package io.floe.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.kernel.PairwiseDistances;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Each chunk's share of the members' pairwise squared distances, summed in chunk order, gives the whole-vector distances. */
class DistanceSharesTest {

    @Test
    void threeMembersOnTwoChunksByHand() {
        // Arrange: a = (1, 2, 0, -1), b = (0, 2, 3, 1), c = (2, -1, 1, 1); chunks [0, 2) and [2, 4)
        float[][] chunk0 = {{1, 2}, {0, 2}, {2, -1}};
        float[][] chunk1 = {{0, -1}, {3, 1}, {1, 1}};

        // Execute
        double[] share0 = DistanceShares.of(chunk0);
        double[] share1 = DistanceShares.of(chunk1);
        double[][] d2 = DistanceShares.sum(List.of(share0, share1), 3);

        // Assert: chunk 0: a-b 1^2 + 0^2 = 1, a-c 1^2 + 3^2 = 10, b-c 2^2 + 3^2 = 13
        //         chunk 1: a-b 3^2 + 2^2 = 13, a-c 1^2 + 2^2 = 5, b-c 2^2 + 0^2 = 4
        //         summed: a-b 14, a-c 15, b-c 17; whole vectors: a-b = (1, 0, -3, -2): 1 + 0 + 9 + 4 = 14,
        //         a-c = (-1, 3, -1, -2): 1 + 9 + 1 + 4 = 15, b-c = (-2, 3, 2, 0): 4 + 9 + 4 + 0 = 17
        assertThat(share0).containsExactly(1, 10, 13);
        assertThat(share1).containsExactly(13, 5, 4);
        assertThat(d2[0]).containsExactly(0, 14, 15);
        assertThat(d2[1]).containsExactly(14, 0, 17);
        assertThat(d2[2]).containsExactly(15, 17, 0);
    }

    @Test
    void sharesOfARandomSplitSumToTheWholeVectorDistances() {
        SplittableRandom rnd = new SplittableRandom(2013);
        for (int trial = 0; trial < 50; trial++) {
            // Arrange: K members of d values, one of them sometimes boosted, cut at random places
            int k = 2 + rnd.nextInt(15);
            int d = 1 + rnd.nextInt(2000);
            float[][] whole = new float[k][d];
            for (int i = 0; i < k; i++) {
                double scale = i == 0 && trial % 3 == 0 ? -30 : 1;
                for (int j = 0; j < d; j++) {
                    whole[i][j] = (float) ((rnd.nextGaussian() * 0.1 + 0.05) * scale);
                }
            }
            int[] bounds = randomBounds(rnd, d);

            // Execute
            List<double[]> shares = new ArrayList<>();
            for (int c = 0; c + 1 < bounds.length; c++) {
                float[][] slice = new float[k][];
                for (int i = 0; i < k; i++) {
                    slice[i] = Arrays.copyOfRange(whole[i], bounds[c], bounds[c + 1]);
                }
                double[] share = DistanceShares.of(slice);
                assertThat(share).hasSize(k * (k - 1) / 2);
                shares.add(share);
            }
            double[][] summed = DistanceShares.sum(shares, k);

            // Assert
            double[][] expected = PairwiseDistances.squaredL2(whole);
            for (int p = 0; p < k; p++) {
                assertThat(summed[p][p]).isZero();
                for (int q = 0; q < k; q++) {
                    assertThat(summed[p][q]).as("trial %d, d2[%d][%d], chunks %s", trial, p, q, Arrays.toString(bounds))
                            .isEqualTo(summed[q][p]);
                    double tolerance = 1e-9 * Math.abs(expected[p][q]);
                    assertThat(Math.abs(summed[p][q] - expected[p][q]))
                            .as("trial %d, d2[%d][%d] = %s, whole-vector %s", trial, p, q, summed[p][q], expected[p][q])
                            .isLessThanOrEqualTo(tolerance);
                }
            }
        }
    }

    @Test
    void aShareOfTheWrongLengthIsRefused() {
        // Arrange: 3 members have 3 pairs; the second share has 2 values
        List<double[]> shares = List.of(new double[] {1, 2, 3}, new double[] {1, 2});

        // Execute / Assert
        assertThatThrownBy(() -> DistanceShares.sum(shares, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a chunk's distance share has 2 values; 3 members have 3 pairs");
        assertThatThrownBy(() -> DistanceShares.sum(List.of(new double[] {1, 2, 3}), 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 members have 6 pairs");
    }

    @Test
    void fewerThanTwoMembersHaveNoPairs() {
        // Execute / Assert
        assertThat(DistanceShares.of(new float[][] {{1f, 2f, 3f}})).isEmpty();
        assertThat(DistanceShares.of(new float[0][])).isEmpty();
        assertThat(DistanceShares.sum(List.of(new double[0], new double[0]), 1)).isDeepEqualTo(new double[][] {{0}});
    }

    /** 0, some distinct cut points in (0, d), d: at least one chunk, boundaries at random places. */
    static int[] randomBounds(SplittableRandom rnd, int d) {
        TreeSet<Integer> cuts = new TreeSet<>();
        int wanted = rnd.nextInt(Math.min(8, d));
        while (cuts.size() < wanted) {
            cuts.add(1 + rnd.nextInt(d - 1));
        }
        int[] bounds = new int[cuts.size() + 2];
        int at = 1;
        for (int c : cuts) {
            bounds[at++] = c;
        }
        bounds[bounds.length - 1] = d;
        return bounds;
    }
}
