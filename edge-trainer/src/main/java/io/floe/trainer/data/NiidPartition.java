package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The data partitions of NIID-Bench: Li, Diao, Chen and He (2022), "Federated Learning on Non-IID
 * Data Silos: An Experimental Study", ICDE 2022 (arXiv:2102.02079), section III-B, as coded in
 * {@code partition_data} of {@code utils.py} in github.com/Xtra-Computing/NIID-Bench.
 *
 * <p>Each strategy deals one training set out to {@code n} parties; the same data, party count
 * and seed give the same split. The strategies, with their CLI spelling and NIID-Bench name:
 * <ul>
 *   <li>{@code iid} ({@code homo}): a random permutation cut into {@code n} near-equal parts;</li>
 *   <li>{@code dirichlet:beta} ({@code noniid-labeldir}): distribution-based label skew;</li>
 *   <li>{@code labels:k} ({@code noniid-#label}k, "#C=k"): quantity-based label skew, every party
 *       holds exactly {@code k} classes;</li>
 *   <li>{@code quantity:beta} ({@code iid-diff-quantity}): IID class mix, Dirichlet party sizes;</li>
 *   <li>{@code noise:sigma} ({@code homo} with {@code --noise sigma}): noise-based feature skew.</li>
 * </ul>
 * The random source is {@link SplittableRandom}, not NumPy's, so a seed gives a different (but
 * equally distributed) split than NIID-Bench's; the algorithms, thresholds and roundings are
 * theirs, step for step.
 *
 * <p>{@code
 * PartySplit split = NiidPartition.parse("labels:2").split(train, 10, 42);
 * Dataset party3 = split.party(3);
 * }
 */
public sealed interface NiidPartition
        permits NiidPartition.Iid, NiidPartition.LabelDirichlet, NiidPartition.LabelCount,
                NiidPartition.QuantityDirichlet, NiidPartition.FeatureNoise {

    /**
     * NIID-Bench's {@code min_require_size}: a Dirichlet draw is repeated until every party holds
     * at least this many rows.
     */
    int MIN_REQUIRE_SIZE = 10;

    /** Redraws a Dirichlet split at most this often before giving up with a message. */
    int MAX_DRAWS = 1000;

    /**
     * Deals the rows of {@code train} out to {@code parties} parties.
     *
     * @throws IllegalArgumentException if the data are too small for the strategy, saying what to change
     */
    PartySplit split(Dataset train, int parties, long seed);

    /** The CLI spelling, which {@link #parse} reads back: {@code dirichlet:0.5}. */
    String spec();

    /** NIID-Bench's {@code --partition} name for this strategy, for run records. */
    String niidBenchName();

    /**
     * Reads {@code iid}, {@code dirichlet:beta}, {@code labels:k}, {@code quantity:beta} or
     * {@code noise:sigma}; case and surrounding blanks do not matter.
     */
    static NiidPartition parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon).trim();
        String arg = colon < 0 ? null : s.substring(colon + 1).trim();
        if (kind.equals("iid")) {
            if (arg != null) {
                throw new IllegalArgumentException("partition 'iid' takes no parameter, got '" + spec + "'");
            }
            return new Iid();
        }
        if (arg == null || arg.isEmpty()) {
            throw new IllegalArgumentException("cannot read partition '" + spec + "'; " + FORMS);
        }
        try {
            return switch (kind) {
                case "dirichlet" -> new LabelDirichlet(Double.parseDouble(arg));
                case "labels" -> new LabelCount(Integer.parseInt(arg));
                case "quantity" -> new QuantityDirichlet(Double.parseDouble(arg));
                case "noise" -> new FeatureNoise(Double.parseDouble(arg));
                default -> throw new IllegalArgumentException("unknown partition '" + spec + "'; " + FORMS);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot read the parameter of partition '" + spec + "'; " + FORMS, e);
        }
    }

    /** The accepted spellings, for error messages and CLI help. */
    String FORMS = "expected iid, dirichlet:BETA (e.g. dirichlet:0.5), labels:K (e.g. labels:2),"
            + " quantity:BETA (e.g. quantity:0.5) or noise:SIGMA (e.g. noise:0.1)";

    /** NIID-Bench {@code homo}: a random permutation, then {@code np.array_split} into equal parts. */
    record Iid() implements NiidPartition {
        @Override
        public PartySplit split(Dataset train, int parties, long seed) {
            check(train, parties);
            return new PartySplit(train, spec(), homogeneous(train.size(), parties, new SplittableRandom(seed)));
        }

        @Override
        public String spec() {
            return "iid";
        }

        @Override
        public String niidBenchName() {
            return "homo";
        }
    }

    /**
     * NIID-Bench {@code noniid-labeldir}, distribution-based label imbalance: for each class
     * {@code k} in turn, draw {@code p ~ Dir(beta)} over the parties, set {@code p_j = 0} for
     * every party that already holds {@code N / n} rows or more ("balance"), renormalise, and cut
     * the shuffled rows of {@code k} at {@code floor(cumsum(p) * |k|)}. If afterwards some party
     * holds fewer than {@link #MIN_REQUIRE_SIZE} rows, the whole split is drawn again. Small
     * {@code beta} (0.1) gives parties dominated by one or two classes; large (100) is close to IID.
     */
    record LabelDirichlet(double beta) implements NiidPartition {
        public LabelDirichlet {
            checkConcentration(beta, "dirichlet");
        }

        @Override
        public PartySplit split(Dataset train, int parties, long seed) {
            check(train, parties);
            checkMinimumSize(train, parties, spec());
            SplittableRandom random = new SplittableRandom(seed);
            int n = train.size();
            double[] concentration = filled(parties, beta);
            int[][] byClass = rowsByClass(train);
            for (int draw = 0; draw < MAX_DRAWS; draw++) {
                PartyRows[] batch = PartyRows.array(parties);
                for (int[] classRows : byClass) {
                    int[] idx = classRows.clone();
                    StratifiedSplit.shuffle(idx, random);
                    double[] p = SkewDraws.dirichlet(concentration, random);
                    double sum = 0.0;
                    for (int j = 0; j < parties; j++) {
                        // NIID-Bench: p * (len(idx_j) < N / n_parties), a true division
                        if (!(batch[j].size() < (double) n / parties)) {
                            p[j] = 0.0;
                        }
                        sum += p[j];
                    }
                    if (sum == 0.0) {
                        continue; // every party is full, so every row is dealt and idx is empty
                    }
                    for (int j = 0; j < parties; j++) {
                        p[j] /= sum;
                    }
                    cutByProportions(idx, p, batch);
                }
                if (PartyRows.minSize(batch) >= MIN_REQUIRE_SIZE) {
                    return new PartySplit(train, spec(), PartyRows.toArrays(batch));
                }
            }
            throw new IllegalArgumentException(spec() + ": after " + MAX_DRAWS + " draws some of the " + parties
                    + " parties still held fewer than " + MIN_REQUIRE_SIZE + " of the " + n
                    + " rows; raise beta or lower the party count");
        }

        @Override
        public String spec() {
            return "dirichlet:" + beta;
        }

        @Override
        public String niidBenchName() {
            return "noniid-labeldir";
        }
    }

    /**
     * NIID-Bench {@code noniid-#label}k, quantity-based label imbalance ("#C=k"): party {@code i}
     * gets class {@code i mod K} and then {@code k - 1} other classes drawn uniformly until they are
     * distinct; the shuffled rows of each class are cut by {@code np.array_split} into as many
     * near-equal parts as parties hold it. With {@code k = K} every class is split among all
     * parties. A class no party drew (possible only with fewer parties than classes) is left
     * out; NIID-Bench would fail there ({@code np.array_split(idx, 0)}).
     */
    record LabelCount(int k) implements NiidPartition {
        public LabelCount {
            if (k < 1) {
                throw new IllegalArgumentException("labels:K needs K >= 1 classes per party, got " + k);
            }
        }

        @Override
        public PartySplit split(Dataset train, int parties, long seed) {
            check(train, parties);
            int classes = train.classCount();
            if (k > classes) {
                throw new IllegalArgumentException(spec() + " asks for " + k + " classes per party, but the data have "
                        + classes + " classes " + train.classNames());
            }
            SplittableRandom random = new SplittableRandom(seed);
            boolean[][] holds = new boolean[parties][classes];
            int[] times = new int[classes];
            for (int i = 0; i < parties; i++) {
                if (k == classes) {
                    Arrays.fill(holds[i], true);
                    continue;
                }
                holds[i][i % classes] = true;
                for (int drawn = 1; drawn < k; ) {
                    int c = random.nextInt(classes);
                    if (!holds[i][c]) {
                        holds[i][c] = true;
                        drawn++;
                    }
                }
            }
            for (boolean[] party : holds) {
                for (int c = 0; c < classes; c++) {
                    times[c] += party[c] ? 1 : 0;
                }
            }
            int[][] byClass = rowsByClass(train);
            PartyRows[] batch = PartyRows.array(parties);
            for (int c = 0; c < classes; c++) {
                int[] idx = byClass[c].clone();
                StratifiedSplit.shuffle(idx, random);
                if (times[c] == 0) {
                    continue;
                }
                int piece = 0;
                for (int j = 0; j < parties; j++) {
                    if (holds[j][c]) {
                        batch[j].addRange(idx, arraySplitStart(idx.length, times[c], piece),
                                arraySplitStart(idx.length, times[c], piece + 1));
                        piece++;
                    }
                }
            }
            return new PartySplit(train, spec(), PartyRows.toArrays(batch));
        }

        @Override
        public String spec() {
            return "labels:" + k;
        }

        @Override
        public String niidBenchName() {
            return "noniid-#label" + k;
        }
    }

    /**
     * NIID-Bench {@code iid-diff-quantity}, quantity skew: shuffle all rows, draw party shares
     * {@code p ~ Dir(beta)} until {@code min(p) * N >= }{@link #MIN_REQUIRE_SIZE}, and cut the
     * permutation at {@code floor(cumsum(p) * N)}. Sizes differ, class mixes stay IID.
     */
    record QuantityDirichlet(double beta) implements NiidPartition {
        public QuantityDirichlet {
            checkConcentration(beta, "quantity");
        }

        @Override
        public PartySplit split(Dataset train, int parties, long seed) {
            check(train, parties);
            checkMinimumSize(train, parties, spec());
            SplittableRandom random = new SplittableRandom(seed);
            int n = train.size();
            int[] idx = permutation(n, random);
            double[] concentration = filled(parties, beta);
            for (int draw = 0; draw < MAX_DRAWS; draw++) {
                double[] p = SkewDraws.dirichlet(concentration, random);
                double min = Arrays.stream(p).min().orElse(0.0);
                if (min * n >= MIN_REQUIRE_SIZE) {
                    PartyRows[] batch = PartyRows.array(parties);
                    cutByProportions(idx, p, batch);
                    return new PartySplit(train, spec(), PartyRows.toArrays(batch));
                }
            }
            throw new IllegalArgumentException(spec() + ": after " + MAX_DRAWS + " draws some of the " + parties
                    + " parties still got fewer than " + MIN_REQUIRE_SIZE + " of the " + n
                    + " rows; raise beta or lower the party count");
        }

        @Override
        public String spec() {
            return "quantity:" + beta;
        }

        @Override
        public String niidBenchName() {
            return "iid-diff-quantity";
        }
    }

    /**
     * NIID-Bench noise-based feature imbalance: an IID ({@code homo}) split, after which party
     * {@code i} of {@code n} adds Gaussian noise of standard deviation {@code sigma * i / (n - 1)}
     * to every feature, so party 0 keeps clean data and party {@code n - 1} has {@code sigma}.
     *
     * <p>The scale is the one of NIID-Bench's code ({@code noise_level = args.noise /
     * (args.n_parties - 1) * party_id}, passed as the std of {@code AddGaussianNoise});
     * the paper's text writes {@code Gau(sigma * i / N)}. Two further differences: NIID-Bench
     * draws fresh noise each time a sample is loaded (a torchvision transform), here each party's
     * noise is drawn once from its own seed, and, as there, values are not clipped to {@code [0, 1]}.
     */
    record FeatureNoise(double sigma) implements NiidPartition {
        public FeatureNoise {
            if (!(sigma >= 0.0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("noise:SIGMA needs a finite sigma >= 0, got " + sigma);
            }
        }

        @Override
        public PartySplit split(Dataset train, int parties, long seed) {
            check(train, parties);
            SplittableRandom random = new SplittableRandom(seed);
            List<int[]> rows = homogeneous(train.size(), parties, random.split());
            double[] std = new double[parties];
            long[] seeds = new long[parties];
            for (int i = 0; i < parties; i++) {
                std[i] = parties == 1 ? 0.0 : sigma * i / (parties - 1);
                seeds[i] = random.nextLong();
            }
            return new PartySplit(train, spec(), rows, std, seeds);
        }

        @Override
        public String spec() {
            return "noise:" + sigma;
        }

        @Override
        public String niidBenchName() {
            return "homo";
        }
    }

    private static void check(Dataset train, int parties) {
        Objects.requireNonNull(train, "train");
        if (parties < 1) {
            throw new IllegalArgumentException("need at least one party, got " + parties);
        }
        if (train.size() < parties) {
            throw new IllegalArgumentException(train.size() + " rows cannot be dealt to " + parties
                    + " parties; use fewer parties");
        }
    }

    private static void checkMinimumSize(Dataset train, int parties, String spec) {
        if ((long) train.size() < (long) MIN_REQUIRE_SIZE * parties) {
            throw new IllegalArgumentException(spec + " gives every party at least " + MIN_REQUIRE_SIZE
                    + " rows (NIID-Bench's min_require_size), so " + parties + " parties need "
                    + MIN_REQUIRE_SIZE * parties + " rows, got " + train.size());
        }
    }

    private static void checkConcentration(double beta, String kind) {
        if (!(beta > 0.0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException(kind + ":BETA needs a positive, finite beta, got " + beta);
        }
    }

    private static double[] filled(int length, double value) {
        double[] a = new double[length];
        Arrays.fill(a, value);
        return a;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        StratifiedSplit.shuffle(idx, random);
        return idx;
    }

    /** A permutation of {@code 0..n-1} cut as {@code np.array_split(perm, parties)}. */
    private static List<int[]> homogeneous(int n, int parties, SplittableRandom random) {
        int[] idx = permutation(n, random);
        List<int[]> rows = new ArrayList<>(parties);
        for (int j = 0; j < parties; j++) {
            rows.add(Arrays.copyOfRange(idx, arraySplitStart(n, parties, j), arraySplitStart(n, parties, j + 1)));
        }
        return rows;
    }

    /**
     * Start of piece {@code j} of {@code np.array_split} of {@code n} items into {@code pieces}:
     * the first {@code n mod pieces} pieces get one item more.
     */
    private static int arraySplitStart(int n, int pieces, int j) {
        int base = n / pieces;
        int extra = n % pieces;
        return j * base + Math.min(j, extra);
    }

    /**
     * Appends {@code idx} cut as {@code np.split(idx, (np.cumsum(p) * len(idx)).astype(int)[:-1])}
     * to the parties' lists: party {@code j} gets {@code idx[floor(c_{j-1} |idx|), floor(c_j |idx|))}.
     */
    private static void cutByProportions(int[] idx, double[] p, PartyRows[] batch) {
        double cumulative = 0.0;
        int start = 0;
        for (int j = 0; j < p.length; j++) {
            int end;
            if (j == p.length - 1) {
                end = idx.length;
            } else {
                cumulative += p[j];
                end = Math.max(start, Math.min(idx.length, (int) (cumulative * idx.length)));
            }
            batch[j].addRange(idx, start, end);
            start = end;
        }
    }

    private static int[][] rowsByClass(Dataset train) {
        int[] counts = train.classCounts();
        int[][] byClass = new int[counts.length][];
        int[] fill = new int[counts.length];
        for (int c = 0; c < counts.length; c++) {
            byClass[c] = new int[counts[c]];
        }
        for (int r = 0; r < train.size(); r++) {
            int c = train.label(r);
            byClass[c][fill[c]++] = r;
        }
        return byClass;
    }
}
