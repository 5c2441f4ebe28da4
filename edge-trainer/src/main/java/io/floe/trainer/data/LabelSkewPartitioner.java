package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Simulates a federation of hospitals from one table: a stratified test set, then the rest
 * dealt out to sites that differ in both size and class mix (non-IID), reproducibly.
 *
 * <p>Real hospitals are not IID shards: a referral centre sees many more patients, and a larger
 * share of malignant cases, than a district clinic. The partition draws
 * <ol>
 *   <li>a stratified test set of {@code testFraction} of every class: exactly
 *       {@code StratifiedSplit.of(data, testFraction, seed).holdout()}, so a centrally trained
 *       baseline can be scored on the same rows;</li>
 *   <li>site sizes: each site gets {@code minSiteSize} rows, and the remaining rows are
 *       shared in proportion to log-normal weights {@code exp(sizeSigma * Z)} (quantity skew);</li>
 *   <li>site class mixes {@code pi_k ~ Dirichlet(alpha * C * p)}, where {@code p} is the class mix
 *       of the training rows and {@code C} the class count (label skew). This is the scheme of
 *       Hsu, Qi and Brown (2019), "Measuring the Effects of Non-Identical Data Distribution for
 *       Federated Visual Classification", section 3, with their concentration written per class,
 *       so with balanced classes it is the symmetric {@code Dirichlet(alpha)} used by Li et al.
 *       (2022), "Federated Learning on Non-IID Data Silos: An Experimental Study" (NIID-Bench);</li>
 *   <li>whole-row counts: every site first gets {@code minPerClass} rows of every class, so
 *       local AUC and a stratified local validation split are defined; the rest of its size is
 *       split by its mix, and where the classes' totals do not add up, single rows are moved
 *       between classes at the sites holding the most of the over-used class.</li>
 * </ol>
 *
 * <p>Defaults: 10 sites, 20% test, {@code alpha = 0.5} (NIID-Bench's default and a strong but
 * common skew: many sites hold mostly one class), {@code sizeSigma = 1.0} (a site one standard
 * deviation above the median gets {@code e = 2.7} times its share), {@code minSiteSize = 15}, {@code minPerClass = 3},
 * seed 42. On WDBC (569 rows) that leaves 456 training rows over the 10 sites; with seed 42
 * the sites hold 17 to 186 rows and malignant shares from 10% to 82%
 * ({@code LabelSkewPartitionerTest.partitionsWdbcIntoTenHospitals} prints the table).
 *
 * <p>{@code
 * Partition p = LabelSkewPartitioner.builder().sites(10).alpha(0.5).seed(42).build().partition(data);
 * Dataset hospital3 = p.sites().get(3);
 * }
 */
public final class LabelSkewPartitioner {
    public static final int DEFAULT_SITES = 10;
    public static final double DEFAULT_TEST_FRACTION = 0.2;
    public static final double DEFAULT_ALPHA = 0.5;
    public static final double DEFAULT_SIZE_SIGMA = 1.0;
    public static final int DEFAULT_MIN_SITE_SIZE = 15;
    public static final int DEFAULT_MIN_PER_CLASS = 3;
    public static final long DEFAULT_SEED = 42L;

    private final int sites;
    private final double testFraction;
    private final double alpha;
    private final double sizeSigma;
    private final int minSiteSize;
    private final int minPerClass;
    private final long seed;

    private LabelSkewPartitioner(Builder b) {
        this.sites = b.sites;
        this.testFraction = b.testFraction;
        this.alpha = b.alpha;
        this.sizeSigma = b.sizeSigma;
        this.minSiteSize = b.minSiteSize;
        this.minPerClass = b.minPerClass;
        this.seed = b.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A partitioner with every default. */
    public static LabelSkewPartitioner defaults() {
        return builder().build();
    }

    /**
     * Partitions {@code data}; the same data and settings give the same partition.
     *
     * @throws IllegalArgumentException when the training rows cannot give every site
     *     {@code minSiteSize} rows and {@code minPerClass} rows of every class
     */
    public Partition partition(Dataset data) {
        Objects.requireNonNull(data, "data");
        // The test set uses the seed as is, so a central baseline can hold out the same rows
        // with StratifiedSplit.of(data, testFraction, seed); each later stage gets its own stream.
        StratifiedSplit split = StratifiedSplit.of(data, testFraction, seed);
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom sizeRandom = root.split();
        SplittableRandom mixRandom = root.split();
        SplittableRandom dealRandom = root.split();

        int classes = data.classCount();
        int[] trainRows = split.trainRows();
        int n = trainRows.length;
        int[] classTotals = new int[classes];
        for (int row : trainRows) {
            classTotals[data.label(row)]++;
        }
        int floor = Math.max(minSiteSize, classes * minPerClass);
        if (n < sites * floor) {
            throw new IllegalArgumentException(n + " training rows cannot give " + sites + " sites at least " + floor
                    + " rows each; lower sites, minSiteSize or minPerClass, or the test fraction");
        }
        for (int c = 0; c < classes; c++) {
            if (classTotals[c] < sites * minPerClass) {
                throw new IllegalArgumentException("class '" + data.classNames().get(c) + "' has " + classTotals[c]
                        + " training rows, fewer than sites * minPerClass = " + sites * minPerClass
                        + "; lower sites or minPerClass");
            }
        }

        int[] sizes = SkewDraws.apportion(SkewDraws.logNormalWeights(sites, sizeSigma, sizeRandom), n - sites * floor);
        double[] concentration = new double[classes];
        for (int c = 0; c < classes; c++) {
            concentration[c] = alpha * classes * classTotals[c] / (double) n;
        }
        int[][] extra = new int[sites][];
        for (int k = 0; k < sites; k++) {
            sizes[k] += floor;
            double[] mix = SkewDraws.dirichlet(concentration, mixRandom);
            extra[k] = SkewDraws.apportion(mix, sizes[k] - classes * minPerClass);
        }
        int[] free = new int[classes];
        for (int c = 0; c < classes; c++) {
            free[c] = classTotals[c] - sites * minPerClass;
        }
        balanceClassTotals(extra, free);

        List<int[]> siteRows = deal(data, trainRows, extra, dealRandom);
        return new Partition(data, split.holdoutRows(), siteRows);
    }

    /**
     * Moves single rows between classes until class {@code c} is used exactly {@code free[c]}
     * times over all sites, keeping every site's size. Each move takes from the site that holds
     * the most of an over-used class, so the drawn mixes change where a row matters least.
     */
    static void balanceClassTotals(int[][] extra, int[] free) {
        int classes = free.length;
        int[] used = new int[classes];
        for (int[] site : extra) {
            for (int c = 0; c < classes; c++) {
                used[c] += site[c];
            }
        }
        while (true) {
            int over = -1;
            int under = -1;
            for (int c = 0; c < classes; c++) {
                if (over < 0 && used[c] > free[c]) {
                    over = c;
                }
                if (under < 0 && used[c] < free[c]) {
                    under = c;
                }
            }
            if (over < 0) {
                return; // the totals are equal, so no over-used class means none under-used either
            }
            int donor = 0;
            for (int k = 1; k < extra.length; k++) {
                if (extra[k][over] > extra[donor][over]) {
                    donor = k;
                }
            }
            extra[donor][over]--;
            extra[donor][under]++;
            used[over]--;
            used[under]++;
        }
    }

    /** Shuffles each class's rows and hands them out in site order, sorted within each site. */
    private List<int[]> deal(Dataset data, int[] trainRows, int[][] extra, SplittableRandom random) {
        int classes = data.classCount();
        int[][] pools = new int[classes][];
        int[] next = new int[classes];
        for (int c = 0; c < classes; c++) {
            final int cls = c;
            pools[c] = Arrays.stream(trainRows).filter(r -> data.label(r) == cls).toArray();
            StratifiedSplit.shuffle(pools[c], random);
        }
        List<int[]> siteRows = new ArrayList<>(sites);
        for (int[] counts : extra) {
            int size = 0;
            for (int c = 0; c < classes; c++) {
                size += counts[c] + minPerClass;
            }
            int[] rows = new int[size];
            int at = 0;
            for (int c = 0; c < classes; c++) {
                int take = counts[c] + minPerClass;
                System.arraycopy(pools[c], next[c], rows, at, take);
                next[c] += take;
                at += take;
            }
            Arrays.sort(rows);
            siteRows.add(rows);
        }
        return siteRows;
    }

    @Override
    public String toString() {
        return "LabelSkewPartitioner[sites=" + sites + ", testFraction=" + testFraction + ", alpha=" + alpha
                + ", sizeSigma=" + sizeSigma + ", minSiteSize=" + minSiteSize + ", minPerClass=" + minPerClass
                + ", seed=" + seed + "]";
    }

    /** Settings of a {@link LabelSkewPartitioner}; each setter checks its argument. */
    public static final class Builder {
        private int sites = DEFAULT_SITES;
        private double testFraction = DEFAULT_TEST_FRACTION;
        private double alpha = DEFAULT_ALPHA;
        private double sizeSigma = DEFAULT_SIZE_SIGMA;
        private int minSiteSize = DEFAULT_MIN_SITE_SIZE;
        private int minPerClass = DEFAULT_MIN_PER_CLASS;
        private long seed = DEFAULT_SEED;

        private Builder() {}

        public Builder sites(int sites) {
            if (sites < 1) {
                throw new IllegalArgumentException("need at least one site, got " + sites);
            }
            this.sites = sites;
            return this;
        }

        /** Share of every class held out as the shared test set, in {@code [0, 1)}. */
        public Builder testFraction(double testFraction) {
            if (!(testFraction >= 0.0 && testFraction < 1.0)) {
                throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
            }
            this.testFraction = testFraction;
            return this;
        }

        /** Dirichlet concentration per class: small (0.1) is strong skew, large (100) near IID. */
        public Builder alpha(double alpha) {
            if (!(alpha > 0.0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha must be positive and finite, got " + alpha);
            }
            this.alpha = alpha;
            return this;
        }

        /** Log-normal spread of site sizes; 0 gives (nearly) equal sizes. */
        public Builder sizeSigma(double sizeSigma) {
            if (!(sizeSigma >= 0.0) || Double.isInfinite(sizeSigma)) {
                throw new IllegalArgumentException("size sigma must be finite and >= 0, got " + sizeSigma);
            }
            this.sizeSigma = sizeSigma;
            return this;
        }

        public Builder minSiteSize(int minSiteSize) {
            if (minSiteSize < 1) {
                throw new IllegalArgumentException("minimum site size must be >= 1, got " + minSiteSize);
            }
            this.minSiteSize = minSiteSize;
            return this;
        }

        /** Rows of every class each site is guaranteed; 0 allows single-class sites. */
        public Builder minPerClass(int minPerClass) {
            if (minPerClass < 0) {
                throw new IllegalArgumentException("minimum rows per class must be >= 0, got " + minPerClass);
            }
            this.minPerClass = minPerClass;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public LabelSkewPartitioner build() {
            return new LabelSkewPartitioner(this);
        }
    }
}
