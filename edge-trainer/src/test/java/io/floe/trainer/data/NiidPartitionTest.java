package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NiidPartitionTest {
    private static final int CLASSES = 10;
    private static final int PARTIES = 10;
    private static final long SEED = 42L;

    /**
     * {@code n} rows of a balanced 10-class problem in shuffled order: feature 0 is the row number
     * (so a party's data can be traced back), features 1..4 are the constant 0.5 (so added noise
     * can be measured).
     */
    static Dataset tenClasses(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % CLASSES;
        }
        StratifiedSplit.shuffle(y, new SplittableRandom(7));
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new float[] {i, 0.5f, 0.5f, 0.5f, 0.5f};
        }
        return new Dataset(x, y);
    }

    private static final Dataset DATA = tenClasses(5000);

    /** Mean over parties of the share of a party's largest class: 0.1 for a perfect IID 10-class split, 1 for single-class parties. */
    static double meanMaxClassShare(PartySplit split) {
        double sum = 0.0;
        for (int k = 0; k < split.partyCount(); k++) {
            sum += IntStream.of(split.classCounts(k)).max().getAsInt() / (double) split.size(k);
        }
        return sum / split.partyCount();
    }

    /** Largest difference between a party's class share and the global 0.1, over the parties with at least {@code minRows}. */
    static double maxShareDeviation(PartySplit split, int minRows) {
        double worst = 0.0;
        for (int k = 0; k < split.partyCount(); k++) {
            if (split.size(k) < minRows) {
                continue;
            }
            for (int count : split.classCounts(k)) {
                worst = Math.max(worst, Math.abs(count / (double) split.size(k) - 1.0 / CLASSES));
            }
        }
        return worst;
    }

    static List<Integer> allRows(PartySplit split) {
        List<Integer> rows = new ArrayList<>();
        for (int k = 0; k < split.partyCount(); k++) {
            Arrays.stream(split.rows(k)).forEach(rows::add);
        }
        return rows;
    }

    @Test
    void iidCutsNearEqualPartsWithTheGlobalMix() {
        Dataset data = tenClasses(5003);

        PartySplit split = NiidPartition.parse("iid").split(data, PARTIES, SEED);

        int[] sizes = IntStream.range(0, PARTIES).map(split::size).toArray();
        // np.array_split: the first n mod parties parts get one row more
        assertThat(sizes).containsExactly(501, 501, 501, 500, 500, 500, 500, 500, 500, 500);
        assertThat(maxShareDeviation(split, 0)).isLessThan(0.06);
        assertThat(meanMaxClassShare(split)).isLessThan(0.15);
    }

    @Test
    void everyStrategyDealsEveryRowExactlyOnce() {
        for (String spec : List.of("iid", "dirichlet:0.5", "dirichlet:0.1", "labels:2", "labels:1", "quantity:0.5",
                "noise:0.1")) {
            PartySplit split = NiidPartition.parse(spec).split(DATA, PARTIES, SEED);

            assertThat(split.partyCount()).isEqualTo(PARTIES);
            assertThat(allRows(split)).as(spec)
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, DATA.size()).boxed().toList());
            // party 0 adds no noise under any strategy, so its features are the source rows'
            Dataset party = split.party(0);
            int[] rows = split.rows(0);
            assertThat(rows).isSorted();
            for (int i = 0; i < party.size(); i++) {
                assertThat(party.feature(i, 0)).isEqualTo((float) rows[i]);
                assertThat(party.label(i)).isEqualTo(DATA.label(rows[i]));
            }
        }
    }

    @Test
    void labelCountGivesEveryPartyExactlyKClassesStartingWithItsOwn() {
        PartySplit split = NiidPartition.parse("labels:2").split(DATA, PARTIES, SEED);

        boolean[] covered = new boolean[CLASSES];
        int[] holders = new int[CLASSES];
        for (int k = 0; k < PARTIES; k++) {
            int[] counts = split.classCounts(k);
            assertThat(IntStream.of(counts).filter(c -> c > 0).count()).as("party %d: %s", k, Arrays.toString(counts))
                    .isEqualTo(2);
            assertThat(counts[k % CLASSES]).isPositive();
            for (int c = 0; c < CLASSES; c++) {
                covered[c] |= counts[c] > 0;
                holders[c] += counts[c] > 0 ? 1 : 0;
            }
        }
        assertThat(covered).containsOnly(true);
        // each class's 500 rows are cut evenly among its holders
        for (int k = 0; k < PARTIES; k++) {
            int[] counts = split.classCounts(k);
            for (int c = 0; c < CLASSES; c++) {
                if (counts[c] > 0) {
                    assertThat(counts[c]).isBetween(500 / holders[c], 500 / holders[c] + 1);
                }
            }
        }
    }

    @Test
    void labelCountOfAllClassesSplitsEveryClassAmongAllParties() {
        PartySplit split = NiidPartition.parse("labels:10").split(DATA, PARTIES, SEED);

        for (int k = 0; k < PARTIES; k++) {
            assertThat(split.classCounts(k)).containsOnly(50);
        }
    }

    @Test
    void labelCountWithFewPartiesLeavesUndrawnClassesOut() {
        // 3 parties x 1 class: classes 0, 1, 2 only, as NIID-Bench's i % K rule gives
        PartySplit split = NiidPartition.parse("labels:1").split(DATA, 3, SEED);

        for (int k = 0; k < 3; k++) {
            int[] counts = split.classCounts(k);
            assertThat(counts[k]).isEqualTo(500);
            assertThat(IntStream.of(counts).sum()).isEqualTo(500);
        }
    }

    @Test
    void dirichletHalfIsSkewedAndMeetsTheMinimumSize() {
        PartySplit iid = NiidPartition.parse("iid").split(DATA, PARTIES, SEED);
        PartySplit dir = NiidPartition.parse("dirichlet:0.5").split(DATA, PARTIES, SEED);

        for (int k = 0; k < PARTIES; k++) {
            assertThat(dir.size(k)).isGreaterThanOrEqualTo(NiidPartition.MIN_REQUIRE_SIZE);
        }
        assertThat(meanMaxClassShare(dir)).as(dir.describe()).isGreaterThan(meanMaxClassShare(iid) + 0.15);
        assertThat(meanMaxClassShare(NiidPartition.parse("dirichlet:0.1").split(DATA, PARTIES, SEED)))
                .isGreaterThan(meanMaxClassShare(dir));
    }

    @Test
    void dirichletWithLargeBetaIsCloseToIid() {
        PartySplit split = NiidPartition.parse("dirichlet:100").split(DATA, PARTIES, SEED);

        assertThat(maxShareDeviation(split, 0)).as(split.describe()).isLessThan(0.06);
        assertThat(meanMaxClassShare(split)).isLessThan(0.16);
    }

    @Test
    void dirichletBalanceStopsFullPartiesFromGrowing() {
        // NIID-Bench zeroes the share of a party once it holds N / n rows, so no party ends far above it
        PartySplit split = NiidPartition.parse("dirichlet:0.1").split(DATA, PARTIES, SEED);

        for (int k = 0; k < PARTIES; k++) {
            // it can only overshoot by the rows of the one class that pushed it over
            assertThat(split.size(k)).isLessThanOrEqualTo(DATA.size() / PARTIES + 500);
        }
    }

    @Test
    void quantitySkewVariesSizesButKeepsTheGlobalMix() {
        PartySplit split = NiidPartition.parse("quantity:0.5").split(DATA, PARTIES, SEED);

        int[] sizes = IntStream.range(0, PARTIES).map(split::size).toArray();
        assertThat(IntStream.of(sizes).min().getAsInt()).isGreaterThanOrEqualTo(NiidPartition.MIN_REQUIRE_SIZE);
        assertThat(IntStream.of(sizes).max().getAsInt())
                .as(Arrays.toString(sizes)).isGreaterThanOrEqualTo(3 * IntStream.of(sizes).min().getAsInt());
        assertThat(IntStream.of(sizes).filter(s -> s >= 300).count()).isGreaterThanOrEqualTo(3);
        assertThat(maxShareDeviation(split, 300)).as(split.describe()).isLessThan(0.06);
    }

    @Test
    void noiseSkewGrowsFromCleanToSigma() {
        double sigma = 0.1;
        PartySplit split = NiidPartition.parse("noise:" + sigma).split(DATA, PARTIES, SEED);

        Dataset first = split.party(0);
        int[] rows0 = split.rows(0);
        for (int i = 0; i < first.size(); i++) {
            assertThat(first.row(i)).containsExactly(DATA.row(rows0[i]));
        }
        for (int k = 0; k < PARTIES; k++) {
            assertThat(split.noiseStd(k)).isCloseTo(sigma * k / (PARTIES - 1), within(1e-12));
        }
        Dataset last = split.party(PARTIES - 1);
        assertThat(noiseStd(last)).isCloseTo(sigma, within(0.03 * sigma));
        Dataset middle = split.party(4);
        assertThat(noiseStd(middle)).isCloseTo(sigma * 4 / 9, within(0.03 * sigma));
        // the same party gives the same noise every time
        assertThat(split.party(PARTIES - 1).featuresRowMajor()).containsExactly(last.featuresRowMajor());
        // the rows underneath are an IID split: equal sizes
        assertThat(IntStream.range(0, PARTIES).map(split::size).toArray()).containsOnly(500);
    }

    /** Root mean square deviation of features 1..4 from their clean value 0.5. */
    private static double noiseStd(Dataset party) {
        double sum = 0.0;
        int count = 0;
        for (int i = 0; i < party.size(); i++) {
            for (int j = 1; j < party.featureCount(); j++) {
                double d = party.feature(i, j) - 0.5;
                sum += d * d;
                count++;
            }
        }
        return Math.sqrt(sum / count);
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        for (String spec : List.of("iid", "dirichlet:0.5", "labels:2", "quantity:0.5", "noise:0.1")) {
            NiidPartition partition = NiidPartition.parse(spec);
            PartySplit a = partition.split(DATA, PARTIES, SEED);
            PartySplit b = partition.split(DATA, PARTIES, SEED);
            PartySplit c = partition.split(DATA, PARTIES, SEED + 1);

            boolean differs = false;
            for (int k = 0; k < PARTIES; k++) {
                assertThat(b.rows(k)).as(spec).containsExactly(a.rows(k));
                differs |= !Arrays.equals(a.rows(k), c.rows(k));
            }
            assertThat(differs).as(spec).isTrue();
        }
        PartySplit noisy = NiidPartition.parse("noise:0.1").split(DATA, PARTIES, SEED);
        assertThat(noisy.party(5).featuresRowMajor())
                .containsExactly(NiidPartition.parse("noise:0.1").split(DATA, PARTIES, SEED).party(5).featuresRowMajor());
    }

    @Test
    void parsesTheCliSpellingsAndNamesTheirNiidBenchCounterparts() {
        assertThat(NiidPartition.parse(" IID ")).isEqualTo(new NiidPartition.Iid());
        assertThat(NiidPartition.parse("dirichlet:0.5")).isEqualTo(new NiidPartition.LabelDirichlet(0.5));
        assertThat(NiidPartition.parse("labels:2")).isEqualTo(new NiidPartition.LabelCount(2));
        assertThat(NiidPartition.parse("quantity: 0.5")).isEqualTo(new NiidPartition.QuantityDirichlet(0.5));
        assertThat(NiidPartition.parse("noise:0.1")).isEqualTo(new NiidPartition.FeatureNoise(0.1));
        for (String spec : List.of("iid", "dirichlet:0.5", "labels:2", "quantity:0.5", "noise:0.1")) {
            assertThat(NiidPartition.parse(spec).spec()).isEqualTo(spec);
        }
        assertThat(NiidPartition.parse("labels:3").niidBenchName()).isEqualTo("noniid-#label3");
        assertThat(NiidPartition.parse("dirichlet:0.5").niidBenchName()).isEqualTo("noniid-labeldir");
        assertThat(NiidPartition.parse("quantity:0.5").niidBenchName()).isEqualTo("iid-diff-quantity");
        assertThat(NiidPartition.parse("dirichlet:0.5").split(DATA, PARTIES, SEED).spec()).isEqualTo("dirichlet:0.5");
    }

    @Test
    void rejectsBadSpecsWithTheAcceptedForms() {
        for (String bad : List.of("", "dirichlet", "dirichlet:", "dirichlet:x", "zipf:1", "iid:2")) {
            assertThatThrownBy(() -> NiidPartition.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.isEmpty() ? "expected iid" : bad);
        }
        assertThatThrownBy(() -> NiidPartition.parse("dirichlet:0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> NiidPartition.parse("labels:0")).hasMessageContaining("K >= 1");
        assertThatThrownBy(() -> NiidPartition.parse("noise:-1")).hasMessageContaining("sigma >= 0");
    }

    @Test
    void rejectsDataTooSmallForTheStrategy() {
        assertThatThrownBy(() -> NiidPartition.parse("labels:11").split(DATA, PARTIES, SEED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 classes");
        Dataset small = tenClasses(95);
        assertThatThrownBy(() -> NiidPartition.parse("dirichlet:0.5").split(small, PARTIES, SEED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 100 rows, got 95");
        assertThatThrownBy(() -> NiidPartition.parse("quantity:0.5").split(small, PARTIES, SEED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min_require_size");
        assertThatThrownBy(() -> NiidPartition.parse("iid").split(small, 0, SEED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one party");
    }
}
