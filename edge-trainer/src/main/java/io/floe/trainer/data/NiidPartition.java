package io.floe.trainer.data;

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
 * <p>The records name a strategy and check its parameter; the dealing lives in
 * {@link LabelSkewSplits}, {@link QuantitySkewSplit} and {@link PartitionCuts} (NumPy's cuts).
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
            PartitionCuts.check(train, parties);
            return new PartySplit(train, spec(), PartitionCuts.homogeneous(train.size(), parties, new SplittableRandom(seed)));
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
            PartitionCuts.checkConcentration(beta, "dirichlet");
        }

        @Override
        public PartySplit split(Dataset train, int parties, long seed) {
            return LabelSkewSplits.byDirichlet(train, parties, seed, beta, spec());
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
            return LabelSkewSplits.byClassCount(train, parties, seed, k, spec());
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
            PartitionCuts.checkConcentration(beta, "quantity");
        }

        @Override
        public PartySplit split(Dataset train, int parties, long seed) {
            return QuantitySkewSplit.byDirichlet(train, parties, seed, beta, spec());
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
            PartitionCuts.check(train, parties);
            SplittableRandom random = new SplittableRandom(seed);
            List<int[]> rows = PartitionCuts.homogeneous(train.size(), parties, random.split());
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
}
