package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A labelled table held by one site: {@code n} rows of {@code d} float features and one class
 * index per row.
 *
 * <p>Features are stored flat and row-major, the layout nd4j and {@code Tensor} use, so handing
 * them to a model copies one array instead of {@code n} small ones. The class is immutable:
 * constructors and accessors copy, so a site's data cannot change under a running training
 * round.
 *
 * <p>Feature and class names travel with the data (Tribuo-style provenance): a model trained on
 * it can say what its inputs were, and two hospitals can check they agree on the label order
 * before their updates are averaged.
 */
public final class Dataset {
    private final float[] features;
    private final int[] labels;
    private final int featureCount;
    private final List<String> featureNames;
    private final List<String> classNames;

    /**
     * A dataset with default names {@code f0..f(d-1)} and classes {@code "0".."k-1"}, where
     * {@code k} is the largest label plus one, but at least 2 (binary).
     *
     * @param features {@code n} rows of equal length {@code d >= 1}
     * @param labels {@code n} class indices, each {@code >= 0}
     */
    public Dataset(float[][] features, int[] labels) {
        this(flatten(features), labels, defaultNames("f", width(features)), defaultNames("", classCountOf(labels)));
    }

    /**
     * @param features {@code n * d} values, row-major
     * @param labels {@code n} class indices in {@code [0, classNames.size())}
     * @param featureNames {@code d} names, one per column
     * @param classNames the class names; the label is an index into this list
     */
    public Dataset(float[] features, int[] labels, List<String> featureNames, List<String> classNames) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        this.featureNames = List.copyOf(featureNames);
        this.classNames = List.copyOf(classNames);
        this.featureCount = this.featureNames.size();
        if (featureCount < 1) {
            throw new IllegalArgumentException("a dataset needs at least one feature");
        }
        if (this.classNames.size() < 2) {
            throw new IllegalArgumentException("a dataset needs at least two classes, got " + this.classNames);
        }
        if ((long) labels.length * featureCount != features.length) {
            throw new IllegalArgumentException(labels.length + " labels and " + featureCount + " features need "
                    + (long) labels.length * featureCount + " feature values, got " + features.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= this.classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i
                        + " is not a class index in [0, " + this.classNames.size() + ")");
            }
        }
        this.features = features.clone();
        this.labels = labels.clone();
    }

    /** Number of rows (examples). */
    public int size() {
        return labels.length;
    }

    /** Number of feature columns {@code d}. */
    public int featureCount() {
        return featureCount;
    }

    public int classCount() {
        return classNames.size();
    }

    public List<String> featureNames() {
        return featureNames;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** The class index of row {@code row}. */
    public int label(int row) {
        return labels[row];
    }

    /** A copy of all labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** A copy of the features of row {@code row}. */
    public float[] row(int row) {
        Objects.checkIndex(row, labels.length);
        return Arrays.copyOfRange(features, row * featureCount, (row + 1) * featureCount);
    }

    public float feature(int row, int column) {
        Objects.checkIndex(row, labels.length);
        Objects.checkIndex(column, featureCount);
        return features[row * featureCount + column];
    }

    /** A copy of all features, {@code size() * featureCount()} values, row-major. */
    public float[] featuresRowMajor() {
        return features.clone();
    }

    /** A copy of all features as {@code size()} rows. */
    public float[][] featureRows() {
        float[][] rows = new float[labels.length][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = row(i);
        }
        return rows;
    }

    /** How many rows carry each class index: element {@code c} counts class {@code c}. */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The rows of class {@code c}, in ascending order. */
    public int[] rowsOfClass(int c) {
        Objects.checkIndex(c, classNames.size());
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == c).toArray();
    }

    /**
     * The rows at {@code indices}, in that order, with the same names. Indices may repeat
     * (bootstrap samples) and may be empty.
     */
    public Dataset subset(int[] indices) {
        float[] f = new float[indices.length * featureCount];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = Objects.checkIndex(indices[k], labels.length);
            System.arraycopy(features, i * featureCount, f, k * featureCount, featureCount);
            l[k] = labels[i];
        }
        return new Dataset(f, l, featureNames, classNames);
    }

    /** The same labels and names with new feature values (used by scalers). */
    Dataset withFeatures(float[] newFeatures) {
        return new Dataset(newFeatures, labels, featureNames, classNames);
    }

    /** The same features and names with new labels, one class index per row (e.g. a label-flipping attack). */
    public Dataset withLabels(int[] newLabels) {
        if (Objects.requireNonNull(newLabels, "newLabels").length != labels.length) {
            throw new IllegalArgumentException(labels.length + " rows need " + labels.length + " labels, got "
                    + newLabels.length);
        }
        return new Dataset(features, newLabels, featureNames, classNames);
    }

    /** The rows of this dataset followed by the rows of {@code other}, which must have the same names. */
    public Dataset concat(Dataset other) {
        Objects.requireNonNull(other, "other");
        if (!featureNames.equals(other.featureNames) || !classNames.equals(other.classNames)) {
            throw new IllegalArgumentException("cannot append " + other + " to " + this
                    + ": feature or class names differ");
        }
        float[] f = Arrays.copyOf(features, features.length + other.features.length);
        System.arraycopy(other.features, 0, f, features.length, other.features.length);
        int[] l = Arrays.copyOf(labels, labels.length + other.labels.length);
        System.arraycopy(other.labels, 0, l, labels.length, other.labels.length);
        return new Dataset(f, l, featureNames, classNames);
    }

    /**
     * A stratified local split into {@code {train, validation}}, see {@link StratifiedSplit}.
     *
     * @param validationFraction share of each class held out, in {@code [0, 1)}
     * @param seed the shuffle seed; the same seed gives the same split
     */
    public Dataset[] splitTrainValidation(double validationFraction, long seed) {
        StratifiedSplit split = StratifiedSplit.of(this, validationFraction, seed);
        return new Dataset[] {split.train(), split.holdout()};
    }

    @Override
    public String toString() {
        return "Dataset[" + size() + " rows x " + featureCount + " features, classes " + classNames + " "
                + Arrays.toString(classCounts()) + "]";
    }

    private static int width(float[][] rows) {
        Objects.requireNonNull(rows, "features");
        return rows.length == 0 ? 0 : rows[0].length;
    }

    private static float[] flatten(float[][] rows) {
        int d = width(rows);
        float[] flat = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " features, row 0 has " + d);
            }
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return flat;
    }

    private static int classCountOf(int[] labels) {
        int max = 1;
        for (int label : Objects.requireNonNull(labels, "labels")) {
            max = Math.max(max, label);
        }
        return max + 1;
    }

    private static List<String> defaultNames(String prefix, int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(prefix + i);
        }
        return names;
    }
}
