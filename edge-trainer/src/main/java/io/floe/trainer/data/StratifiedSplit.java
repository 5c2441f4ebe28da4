package io.floe.trainer.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded, stratified split of one dataset into a training part and a held-out part.
 *
 * <p>Stratified because the held-out part scores a binary classifier by AUC: each class gives up
 * {@code round(fraction * classSize)} of its rows, so the held-out class mix equals the source
 * mix up to rounding, even on a hospital with a few dozen rows. Rows keep their source order
 * within each part; the seed only decides which rows are held out.
 *
 * <p>{@code
 * StratifiedSplit split = StratifiedSplit.of(data, 0.2, 42);
 * Dataset train = split.train(), test = split.holdout();
 * }
 */
public final class StratifiedSplit {
    private final Dataset train;
    private final Dataset holdout;
    private final int[] trainRows;
    private final int[] holdoutRows;

    private StratifiedSplit(Dataset source, int[] trainRows, int[] holdoutRows) {
        this.trainRows = trainRows;
        this.holdoutRows = holdoutRows;
        this.train = source.subset(trainRows);
        this.holdout = source.subset(holdoutRows);
    }

    /**
     * Splits {@code data}; the same data, fraction and seed give the same split on every JVM.
     *
     * @param holdoutFraction the share of every class to hold out, in {@code [0, 1)}
     * @param seed seeds a {@link SplittableRandom} that shuffles each class's rows
     */
    public static StratifiedSplit of(Dataset data, double holdoutFraction, long seed) {
        Objects.requireNonNull(data, "data");
        if (!(holdoutFraction >= 0.0 && holdoutFraction < 1.0)) {
            throw new IllegalArgumentException("holdout fraction must be in [0, 1), got " + holdoutFraction);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] holdout = new int[data.size()];
        int holdoutCount = 0;
        boolean[] held = new boolean[data.size()];
        for (int c = 0; c < data.classCount(); c++) {
            int[] rows = data.rowsOfClass(c);
            shuffle(rows, random);
            int take = (int) Math.round(holdoutFraction * rows.length);
            for (int k = 0; k < take; k++) {
                held[rows[k]] = true;
                holdout[holdoutCount++] = rows[k];
            }
        }
        int[] holdoutRows = Arrays.copyOf(holdout, holdoutCount);
        Arrays.sort(holdoutRows);
        int[] trainRows = new int[data.size() - holdoutCount];
        int t = 0;
        for (int i = 0; i < held.length; i++) {
            if (!held[i]) {
                trainRows[t++] = i;
            }
        }
        return new StratifiedSplit(data, trainRows, holdoutRows);
    }

    /** Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Algorithm P) driven by {@code random}. */
    static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = values[i];
            values[i] = values[j];
            values[j] = tmp;
        }
    }

    public Dataset train() {
        return train;
    }

    public Dataset holdout() {
        return holdout;
    }

    /** The source rows that form {@link #train()}, ascending. */
    public int[] trainRows() {
        return trainRows.clone();
    }

    /** The source rows that form {@link #holdout()}, ascending. */
    public int[] holdoutRows() {
        return holdoutRows.clone();
    }
}
