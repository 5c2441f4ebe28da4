package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The NumPy steps NIID-Bench's {@code partition_data} builds its partitions from, on row indices:
 * a permutation, {@code np.array_split} into near-equal pieces, {@code np.split} at cumulative
 * proportions, rows grouped by class; and the checks every {@link NiidPartition} makes of its
 * input, with messages that say what to change.
 */
final class PartitionCuts {
    private PartitionCuts() {
    }

    static void check(Dataset train, int parties) {
        Objects.requireNonNull(train, "train");
        if (parties < 1) {
            throw new IllegalArgumentException("need at least one party, got " + parties);
        }
        if (train.size() < parties) {
            throw new IllegalArgumentException(train.size() + " rows cannot be dealt to " + parties
                    + " parties; use fewer parties");
        }
    }

    /** A Dirichlet split gives every party {@link NiidPartition#MIN_REQUIRE_SIZE} rows: refuses data too small for that. */
    static void checkMinimumSize(Dataset train, int parties, String spec) {
        int min = NiidPartition.MIN_REQUIRE_SIZE;
        if ((long) train.size() < (long) min * parties) {
            throw new IllegalArgumentException(spec + " gives every party at least " + min
                    + " rows (NIID-Bench's min_require_size), so " + parties + " parties need "
                    + min * parties + " rows, got " + train.size());
        }
    }

    static void checkConcentration(double beta, String kind) {
        if (!(beta > 0.0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException(kind + ":BETA needs a positive, finite beta, got " + beta);
        }
    }

    static double[] filled(int length, double value) {
        double[] a = new double[length];
        Arrays.fill(a, value);
        return a;
    }

    static int[] permutation(int n, SplittableRandom random) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        StratifiedSplit.shuffle(idx, random);
        return idx;
    }

    /** A permutation of {@code 0..n-1} cut as {@code np.array_split(perm, parties)}. */
    static List<int[]> homogeneous(int n, int parties, SplittableRandom random) {
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
    static int arraySplitStart(int n, int pieces, int j) {
        int base = n / pieces;
        int extra = n % pieces;
        return j * base + Math.min(j, extra);
    }

    /**
     * Appends {@code idx} cut as {@code np.split(idx, (np.cumsum(p) * len(idx)).astype(int)[:-1])}
     * to the parties' lists: party {@code j} gets {@code idx[floor(c_{j-1} |idx|), floor(c_j |idx|))}.
     */
    static void cutByProportions(int[] idx, double[] p, PartyRows[] batch) {
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

    /** The row indices of each class, in row order. */
    static int[][] rowsByClass(Dataset train) {
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
