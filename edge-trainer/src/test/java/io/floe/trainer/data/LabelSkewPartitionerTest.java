package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LabelSkewPartitionerTest {

    /** {@code n} rows whose only feature is the row number; 40% of them (two in every five) are class 1. */
    private static Dataset numberedRows(int n) {
        float[][] x = new float[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new float[] {i};
            y[i] = i % 5 < 2 ? 1 : 0;
        }
        return new Dataset(x, y);
    }

    @Test
    void everyRowIsUsedExactlyOnce() {
        Dataset data = numberedRows(600);

        Partition p = LabelSkewPartitioner.defaults().partition(data);

        List<Integer> used = new ArrayList<>();
        Arrays.stream(p.testRows()).forEach(used::add);
        for (int k = 0; k < p.siteCount(); k++) {
            Arrays.stream(p.siteRows(k)).forEach(used::add);
            // the site's data are exactly its rows
            Dataset site = p.sites().get(k);
            int[] rows = p.siteRows(k);
            for (int i = 0; i < site.size(); i++) {
                assertThat(site.feature(i, 0)).isEqualTo((float) rows[i]);
                assertThat(site.label(i)).isEqualTo(data.label(rows[i]));
            }
        }
        assertThat(used).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 600).boxed().toList());
    }

    @Test
    void testSetIsAStratifiedFifth() {
        // 600 rows: 240 of class 1, 360 of class 0 -> test holds 72 and 48
        Partition p = LabelSkewPartitioner.defaults().partition(numberedRows(600));

        assertThat(p.test().classCounts()).containsExactly(72, 48);
        assertThat(p.siteCount()).isEqualTo(LabelSkewPartitioner.DEFAULT_SITES);
    }

    @Test
    void sitesDifferInSizeButMeetTheMinimums() {
        Partition p = LabelSkewPartitioner.defaults().partition(numberedRows(600));

        int[] sizes = p.sites().stream().mapToInt(Dataset::size).toArray();
        int smallest = IntStream.of(sizes).min().getAsInt();
        assertThat(smallest).isGreaterThanOrEqualTo(LabelSkewPartitioner.DEFAULT_MIN_SITE_SIZE);
        assertThat(IntStream.of(sizes).max().getAsInt()).isGreaterThanOrEqualTo(2 * smallest);
        for (Dataset site : p.sites()) {
            assertThat(IntStream.of(site.classCounts()).min().getAsInt())
                    .isGreaterThanOrEqualTo(LabelSkewPartitioner.DEFAULT_MIN_PER_CLASS);
        }
    }

    @Test
    void sitesDifferInLabelMix() {
        Partition p = LabelSkewPartitioner.defaults().partition(numberedRows(600));

        double[] share = p.sites().stream().mapToDouble(s -> s.classCounts()[1] / (double) s.size()).toArray();
        double spread = Arrays.stream(share).max().getAsDouble() - Arrays.stream(share).min().getAsDouble();
        assertThat(spread).as("class-1 shares %s", Arrays.toString(share)).isGreaterThan(0.3);
    }

    @Test
    void largeAlphaAndZeroSigmaApproachIid() {
        Partition p = LabelSkewPartitioner.builder().alpha(1e4).sizeSigma(0.0).build().partition(numberedRows(600));

        for (Dataset site : p.sites()) {
            // 480 training rows over 10 sites: 48 each, 40% class 1 ~ 19
            assertThat(site.size()).isEqualTo(48);
            assertThat(site.classCounts()[1]).isBetween(15, 24);
        }
    }

    @Test
    void sameSeedSamePartitionOtherSeedOtherPartition() {
        Dataset data = numberedRows(600);

        Partition a = LabelSkewPartitioner.builder().seed(5).build().partition(data);
        Partition b = LabelSkewPartitioner.builder().seed(5).build().partition(data);
        Partition c = LabelSkewPartitioner.builder().seed(6).build().partition(data);

        assertThat(a.testRows()).containsExactly(b.testRows());
        for (int k = 0; k < a.siteCount(); k++) {
            assertThat(a.siteRows(k)).containsExactly(b.siteRows(k));
        }
        assertThat(c.siteRows(0)).isNotEqualTo(a.siteRows(0));
    }

    @Test
    void balancingMovesRowsFromTheLargestHolder() {
        // class totals used 8 and 2, allowed 4 and 6: four rows move from class 0 to 1,
        // each from the site holding the most class-0 rows (ties to the lower site)
        int[][] extra = {{5, 0}, {3, 2}};

        LabelSkewPartitioner.balanceClassTotals(extra, new int[] {4, 6});

        assertThat(extra).isDeepEqualTo(new int[][] {{2, 3}, {2, 3}});
    }

    @Test
    void tooFewRowsFailWithAHint() {
        assertThatThrownBy(() -> LabelSkewPartitioner.defaults().partition(numberedRows(100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("80 training rows cannot give 10 sites at least 15 rows each");
        assertThatThrownBy(() -> LabelSkewPartitioner.builder().sites(3).minSiteSize(1).minPerClass(11).build()
                .partition(numberedRows(100)))
                .hasMessageContaining("class '1' has 32 training rows, fewer than sites * minPerClass = 33");
    }

    @Test
    void partitionsWdbcIntoTenHospitals() throws IOException {
        Dataset wdbc = CsvDatasetLoader.defaults().load(CsvDatasetLoaderTest.WDBC);

        Partition p = LabelSkewPartitioner.defaults().partition(wdbc);
        System.out.println("WDBC, " + LabelSkewPartitioner.defaults() + System.lineSeparator() + p.describe());

        assertThat(p.test().size()).isEqualTo(113); // round(0.2 * 212) + round(0.2 * 357) = 42 + 71
        assertThat(p.sites().stream().mapToInt(Dataset::size).sum()).isEqualTo(456);
        assertThat(p.sites()).allMatch(s -> s.size() >= 15 && s.classCounts()[0] >= 3 && s.classCounts()[1] >= 3);
    }
}
