package io.floe.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SelectionNetworkTest {

    /** All 2^k vectors of zeros and ones, one per coordinate: w[i][t] = bit i of t. */
    private static float[][] allZeroOneInputs(int k) {
        int n = 1 << k;
        float[][] w = new float[k][n];
        for (int i = 0; i < k; i++) {
            for (int t = 0; t < n; t++) {
                w[i][t] = (t >>> i) & 1;
            }
        }
        return w;
    }

    /** The first input t (a bit pattern) whose wires first..last do not hold its ranks first..last, or -1. */
    private static int firstUnsorted(float[][] w, int first, int last) {
        int k = w.length;
        for (int t = 0; t < w[0].length; t++) {
            int ones = Integer.bitCount(t);
            for (int r = first; r <= last; r++) {
                if (w[r][t] != (r >= k - ones ? 1f : 0f)) {
                    return t;
                }
            }
        }
        return -1;
    }

    @Test
    void fullNetworksSortEveryZeroOneInput() {
        // 0-1 principle (Knuth, TAOCP 5.3.4, Theorem Z): a comparator network that sorts every
        // 0-1 input sorts every input.
        for (int k = 1; k <= 16; k++) {
            // Prepare
            float[][] w = allZeroOneInputs(k);
            SelectionNetwork full = SelectionNetwork.forRanks(k, 0, k - 1);

            // Execute
            full.apply(w, w[0].length);

            // Assert
            assertThat(firstUnsorted(w, 0, k - 1)).as("k=%d: first 0-1 input left unsorted", k).isEqualTo(-1);
        }
    }

    @Test
    void pairwiseNetworksSortEveryZeroOneInput() {
        for (int k = 1; k <= 18; k++) {
            // Prepare: Parberry's network, unpruned, as an exchange-only network
            float[][] w = allZeroOneInputs(k);
            java.util.List<int[]> comparators = SelectionNetwork.pairwiseComparators(k);

            // Execute
            for (int[] c : comparators) {
                float[] a = w[c[0]];
                float[] b = w[c[1]];
                for (int t = 0; t < a.length; t++) {
                    float x = a[t];
                    a[t] = Math.min(x, b[t]);
                    b[t] = Math.max(x, b[t]);
                }
            }

            // Assert
            assertThat(firstUnsorted(w, 0, k - 1)).as("k=%d: first 0-1 input left unsorted", k).isEqualTo(-1);
        }
        // as many comparators as Batcher's for powers of two (Parberry 1992)
        assertThat(SelectionNetwork.pairwiseComparators(32)).hasSize(191);
        assertThat(SelectionNetwork.pairwiseComparators(16)).hasSize(63);
    }

    @Test
    void prunedNetworksStillPlaceTheWantedRanks() {
        for (int k = 1; k <= 13; k++) {
            for (int first = 0; first < k; first++) {
                for (int last = first; last < k; last++) {
                    // Prepare
                    float[][] w = allZeroOneInputs(k);
                    SelectionNetwork net = SelectionNetwork.forRanks(k, first, last);

                    // Execute
                    net.apply(w, w[0].length);

                    // Assert
                    assertThat(firstUnsorted(w, first, last)).as("k=%d ranks %d..%d: first 0-1 input with a wrong rank",
                            k, first, last).isEqualTo(-1);
                }
            }
        }
    }

    @Test
    void extremesNetworksSelectBothEndsAndOnlyPermute() {
        for (int k = 1; k <= 16; k++) {
            for (int trim = 0; 2 * trim <= k; trim++) {
                // Prepare
                float[][] w = allZeroOneInputs(k);
                SelectionNetwork net = SelectionNetwork.forExtremes(k, trim);

                // Execute
                net.apply(w, w[0].length);

                // Assert: ranks 0..trim-1 and k-trim..k-1 in place (0-1 principle), and every
                // input's number of ones kept (a permutation, so the middle wires hold the rest)
                assertThat(firstUnsorted(w, 0, trim - 1)).as("k=%d trim=%d: smallest", k, trim).isEqualTo(-1);
                assertThat(firstUnsorted(w, k - trim, k - 1)).as("k=%d trim=%d: largest", k, trim).isEqualTo(-1);
                for (int t = 0; t < w[0].length; t++) {
                    int ones = 0;
                    for (float[] wire : w) {
                        ones += (int) wire[t];
                    }
                    assertThat(ones).as("k=%d trim=%d input %d", k, trim, t).isEqualTo(Integer.bitCount(t));
                }
            }
        }
        // the recursive construction is smaller than Batcher's pruned sort for 3 of 32 at each side
        assertThat(SelectionNetwork.forExtremes(32, 3).comparatorCount()).isEqualTo(108);
        assertThat(SelectionNetwork.forExtremes(32, 3).halfComparatorCount()).isZero();
    }

    @Test
    void pruningKeepsWhatTheMedianOf32Needs() {
        // Execute
        SelectionNetwork median = SelectionNetwork.forRanks(32, 15, 16);
        SelectionNetwork full = SelectionNetwork.forRanks(32, 0, 31);

        // Assert: 191 comparators to sort; for the median, pruned Batcher keeps 127 whole ones and 30
        // halves (284 min/max), pruned pairwise 115 and 30 (260), and the smaller one is used
        assertThat(SelectionNetwork.batcherComparators(32)).hasSize(191);
        assertThat(full.comparatorCount()).isEqualTo(191);
        assertThat(full.halfComparatorCount()).isZero();
        assertThat(median.comparatorCount()).isEqualTo(145);
        assertThat(median.halfComparatorCount()).isEqualTo(30);
        assertThat(median.minMaxCount()).isEqualTo(260);
        SelectionNetwork batcherMedian = SelectionNetwork.build(32, 15, 16, false, SelectionNetwork.batcherComparators(32));
        assertThat(batcherMedian.comparatorCount()).isEqualTo(157);
        assertThat(batcherMedian.halfComparatorCount()).isEqualTo(30);
        assertThat(batcherMedian.minMaxCount()).isEqualTo(284);
    }

    @Test
    void networksAreCachedPerWiresAndRanks() {
        // Execute / Assert
        assertThat(SelectionNetwork.forRanks(10, 4, 5)).isSameAs(SelectionNetwork.forRanks(10, 4, 5));
        assertThat(SelectionNetwork.forRanks(10, 4, 5).wires()).isEqualTo(10);
        assertThat(SelectionNetwork.forRanks(1, 0, 0).comparatorCount()).isZero();
    }

    @Test
    void rejectsRanksOutsideTheWires() {
        // Execute / Assert
        assertThatThrownBy(() -> SelectionNetwork.forRanks(5, 3, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SelectionNetwork.forRanks(5, 3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SelectionNetwork.forRanks(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
