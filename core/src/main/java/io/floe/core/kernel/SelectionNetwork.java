package io.floe.core.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A comparator network over K wires that puts the order statistics {@code firstRank..lastRank}
 * (0-based, ascending) on wires {@code firstRank..lastRank}, run on whole blocks of coordinates
 * at once.
 *
 * <p>Construction: a sorting network for the next power of two P >= K, with the wires K..P-1
 * taken as +Infinity. A comparator that touches such a wire never moves a value (the minimum stays
 * on the lower wire), so it is dropped and the network sorts exactly K wires. It is then pruned
 * backwards from the wanted outputs: a comparator none of whose outputs is needed later is
 * removed, and one of which only the minimum (or only the maximum) is needed keeps just that
 * half. Two sorting networks are pruned, Batcher's odd-even merge sort (K. E. Batcher, "Sorting
 * networks and their applications", AFIPS 1968) and Parberry's pairwise network, and the one with
 * fewer min/max operations is kept: for the median of 32 values the pairwise one, 115 full
 * comparators and 30 halves of its 191 (Batcher's: 127 and 30).
 *
 * <p>{@link #forExtremes} builds a different kind: exchanges only (so the network permutes the
 * values), the {@code trim} smallest and largest sorted on the outer wires, the rest left
 * unordered on the middle wires, for the trimmed mean, which only needs their sum.
 *
 * <p>Every step is {@code lo[t] = min(a[t], b[t]); hi[t] = max(a[t], b[t])} over the whole
 * block: no branches, and C2 compiles such float min/max loops to SIMD instructions.
 * {@link Math#min(float, float)} orders {@code -0.0f} before {@code 0.0f}, like
 * {@link Float#compare}, so the network agrees bit for bit with sorting by
 * {@link java.util.Arrays#sort(float[])}. Inputs must not hold NaN (min and max would spread it).
 * (Mapping floats to sortable ints would order them the same way, but JDK 17's C2 leaves
 * {@code Math.min(int, int)} loops scalar; measured five times slower than the float loops.)
 */
final class SelectionNetwork {
    private static final byte EXCHANGE = 0;
    private static final byte KEEP_MIN = 1;
    private static final byte KEEP_MAX = 2;
    private static final int CACHE_LIMIT = 256;
    private static final Map<Key, SelectionNetwork> CACHE = new ConcurrentHashMap<>();

    private final int wires;
    private final int[] low;
    private final int[] high;
    private final byte[] op;

    /** {@code extremes}: ranks {@code 0..firstRank-1} and {@code lastRank+1..wires-1} instead of {@code firstRank..lastRank}. */
    private record Key(int wires, int firstRank, int lastRank, boolean extremes) {
    }

    private SelectionNetwork(int wires, int[] low, int[] high, byte[] op) {
        this.wires = wires;
        this.low = low;
        this.high = high;
        this.op = op;
    }

    /** The (cached) network for ranks {@code firstRank..lastRank} of {@code wires} values. */
    static SelectionNetwork forRanks(int wires, int firstRank, int lastRank) {
        if (wires < 1 || firstRank < 0 || lastRank < firstRank || lastRank >= wires) {
            throw new IllegalArgumentException("ranks " + firstRank + ".." + lastRank + " of " + wires + " wires");
        }
        return cached(new Key(wires, firstRank, lastRank, false));
    }

    /**
     * The (cached) network that puts the {@code trim} smallest values on wires {@code 0..trim-1} and
     * the {@code trim} largest on wires {@code wires-trim..wires-1}, in ascending order; the other
     * values end up on the middle wires in no particular order (a comparator network only permutes).
     */
    static SelectionNetwork forExtremes(int wires, int trim) {
        if (wires < 1 || trim < 0 || wires - 2L * trim < 0) {
            throw new IllegalArgumentException("extremes " + trim + " of " + wires + " wires");
        }
        return cached(new Key(wires, trim, wires - 1 - trim, true));
    }

    private static SelectionNetwork cached(Key key) {
        SelectionNetwork n = CACHE.get(key);
        if (n == null) {
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear();
            }
            n = CACHE.computeIfAbsent(key, k -> build(k.wires, k.firstRank, k.lastRank, k.extremes));
        }
        return n;
    }

    /** Batcher's odd-even merge sort on {@code wires} wires, as (low, high) pairs in execution order. */
    static List<int[]> batcherComparators(int wires) {
        int n = nextPowerOfTwo(wires);
        List<int[]> out = new ArrayList<>();
        // Knuth, TAOCP vol. 3, 5.3.4, Algorithm M (merge exchange), in its usual iterative form
        for (int p = 1; p < n; p <<= 1) {
            for (int k = p; k >= 1; k >>= 1) {
                for (int j = k % p; j + k < n; j += 2 * k) {
                    for (int i = 0; i < Math.min(k, n - j - k); i++) {
                        int a = i + j;
                        int b = i + j + k;
                        if (a / (2 * p) == b / (2 * p) && b < wires) {
                            out.add(new int[] {a, b});
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Parberry's pairwise sorting network (I. Parberry, "The pairwise sorting network", Parallel
     * Processing Letters 2(2-3), 1992) on {@code wires} wires, as (low, high) pairs in execution
     * order: built for the next power of two, without the comparators that touch a wire at or above
     * {@code wires} (taken as +Infinity, which such a comparator never moves). It has as many
     * comparators as Batcher's network but prunes better towards the middle ranks: 115 whole
     * comparators and 30 halves for the median of 32, against Batcher's 127 and 30.
     */
    static List<int[]> pairwiseComparators(int wires) {
        int n = nextPowerOfTwo(wires);
        List<int[]> out = new ArrayList<>();
        // first phase: sort pairs, then pairs of pairs... (the comparators at distance a)
        for (int a = 1; a < n; a <<= 1) {
            for (int b = a, c = 0; b < n; ) {
                add(out, b - a, b, wires);
                c = (c + 1) % a;
                b++;
                if (c == 0) {
                    b += a;
                }
            }
        }
        // second phase: merge, at distances d * a for d = e, e/2, ..., 1
        for (int a = n / 4, e = 1; a > 0; a >>= 1, e = 2 * e + 1) {
            for (int d = e; d > 0; d >>= 1) {
                for (int b = (d + 1) * a, c = 0; b < n; ) {
                    add(out, b - d * a, b, wires);
                    c = (c + 1) % a;
                    b++;
                    if (c == 0) {
                        b += a;
                    }
                }
            }
        }
        return out;
    }

    private static int nextPowerOfTwo(int wires) {
        int n = 1;
        while (n < wires) {
            n <<= 1;
        }
        return n;
    }

    private static void add(List<int[]> out, int low, int high, int wires) {
        if (high < wires) {
            out.add(new int[] {low, high});
        }
    }

    /**
     * Comparators that leave the {@code trim} smallest of wires {@code from..from+n-1} sorted on the
     * first {@code trim} of them and the {@code trim} largest sorted on the last {@code trim}, using
     * exchanges only. Below 4 * trim wires: Batcher's network pruned to those ranks. Above: the two
     * halves recursively, then the two lists of smallest merged by the bitonic split
     * {@code (A[i], B[trim-1-i])} (its minima are the trim smallest of both) and sorted again, and
     * likewise the largest; about 100 comparators for 3 at each side of 32 wires, against 140 for
     * Batcher's pruned network.
     */
    static void extremesComparators(int from, int n, int trim, List<int[]> out) {
        if (trim == 0) {
            return;
        }
        if (n < 4 * trim) {
            SelectionNetwork base = build(n, trim, n - 1 - trim, true, batcherComparators(n));
            for (int c = 0; c < base.op.length; c++) {
                out.add(new int[] {from + base.low[c], from + base.high[c]});
            }
            return;
        }
        int left = n / 2;
        extremesComparators(from, left, trim, out);
        extremesComparators(from + left, n - left, trim, out);
        int rightFrom = from + left;
        int end = from + n;
        for (int i = 0; i < trim; i++) {
            out.add(new int[] {from + i, rightFrom + trim - 1 - i});
        }
        for (int i = 0; i < trim; i++) {
            out.add(new int[] {from + left - trim + i, end - 1 - i});
        }
        for (int[] c : batcherComparators(trim)) {
            out.add(new int[] {from + c[0], from + c[1]});
            out.add(new int[] {end - trim + c[0], end - trim + c[1]});
        }
    }

    private static SelectionNetwork build(int wires, int firstRank, int lastRank, boolean extremes) {
        if (extremes) {
            List<int[]> all = new ArrayList<>();
            extremesComparators(0, wires, firstRank, all);
            return build(wires, firstRank, lastRank, true, all);
        }
        SelectionNetwork batcher = build(wires, firstRank, lastRank, false, batcherComparators(wires));
        SelectionNetwork pairwise = build(wires, firstRank, lastRank, false, pairwiseComparators(wires));
        return pairwise.minMaxCount() < batcher.minMaxCount() ? pairwise : batcher;
    }

    /** {@code all} pruned to ranks {@code firstRank..lastRank} (or, with {@code extremes}, to the ranks outside them). */
    static SelectionNetwork build(int wires, int firstRank, int lastRank, boolean extremes, List<int[]> all) {
        boolean[] needed = new boolean[wires];
        for (int r = 0; r < wires; r++) {
            needed[r] = (r >= firstRank && r <= lastRank) != extremes;
        }
        int[] low = new int[all.size()];
        int[] high = new int[all.size()];
        byte[] op = new byte[all.size()];
        int kept = all.size();
        for (int c = all.size() - 1; c >= 0; c--) {
            int a = all.get(c)[0];
            int b = all.get(c)[1];
            if (!needed[a] && !needed[b]) {
                continue;
            }
            kept--;
            low[kept] = a;
            high[kept] = b;
            // the extremes network must stay a permutation of the inputs (the middle wires are summed), so no halves
            op[kept] = extremes || needed[a] && needed[b] ? EXCHANGE : needed[a] ? KEEP_MIN : KEEP_MAX;
            needed[a] = true;
            needed[b] = true;
        }
        return new SelectionNetwork(wires,
                java.util.Arrays.copyOfRange(low, kept, all.size()),
                java.util.Arrays.copyOfRange(high, kept, all.size()),
                java.util.Arrays.copyOfRange(op, kept, all.size()));
    }

    int wires() {
        return wires;
    }

    /** Comparators kept, counting a kept half as one. */
    int comparatorCount() {
        return op.length;
    }

    /** Min and max operations per coordinate: two per whole comparator, one per half. */
    int minMaxCount() {
        return 2 * comparatorCount() - halfComparatorCount();
    }

    /** Comparators of which only one half (min or max) is kept. */
    int halfComparatorCount() {
        int n = 0;
        for (byte b : op) {
            n += b == EXCHANGE ? 0 : 1;
        }
        return n;
    }

    /** Runs the network over positions {@code 0..len-1} of each wire's array. */
    void apply(float[][] w, int len) {
        for (int c = 0; c < op.length; c++) {
            float[] a = w[low[c]];
            float[] b = w[high[c]];
            switch (op[c]) {
                case EXCHANGE -> exchange(a, b, len);
                case KEEP_MIN -> keepMin(a, b, len);
                default -> keepMax(a, b, len);
            }
        }
    }

    private static void exchange(float[] a, float[] b, int len) {
        for (int t = 0; t < len; t++) {
            float x = a[t];
            float y = b[t];
            a[t] = Math.min(x, y);
            b[t] = Math.max(x, y);
        }
    }

    private static void keepMin(float[] a, float[] b, int len) {
        for (int t = 0; t < len; t++) {
            a[t] = Math.min(a[t], b[t]);
        }
    }

    private static void keepMax(float[] a, float[] b, int len) {
        for (int t = 0; t < len; t++) {
            b[t] = Math.max(a[t], b[t]);
        }
    }
}
