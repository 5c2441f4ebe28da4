package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The split lines of one CSV file and the two ways {@link CsvDatasetLoader} turns them into a
 * {@link Dataset}. Kept apart from the loader so the public class holds configuration only and
 * this one holds the row-by-row checks, each of which names the offending line.
 */
final class CsvTable {
    private final String source;
    private final List<String[]> lines;
    private final List<Integer> lineNumbers;

    CsvTable(String source, List<String[]> lines, List<Integer> lineNumbers) {
        this.source = source;
        this.lines = lines;
        this.lineNumbers = lineNumbers;
    }

    /** Line 1 {@code rows,features,class0,class1,...}; data rows end with the class index. */
    Dataset readSklearn() {
        String[] header = lines.get(0);
        int declaredRows = Integer.parseInt(header[0].trim());
        int d = Integer.parseInt(header[1].trim());
        if (d < 1) {
            throw error(0, "header declares " + d + " features; need at least one");
        }
        List<String> classNames = List.of(header).subList(2, header.length);
        if (new TreeSet<>(classNames).size() != classNames.size()) {
            throw error(0, "header names a class twice: " + classNames);
        }
        int n = lines.size() - 1;
        if (n != declaredRows) {
            throw new IllegalArgumentException(source + ": header (line " + lineNumbers.get(0) + ") declares "
                    + declaredRows + " rows, found " + n);
        }
        float[] features = new float[n * d];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            String[] row = lines.get(i + 1);
            requireWidth(i + 1, row, d + 1, d + " features and a class index");
            for (int j = 0; j < d; j++) {
                features[i * d + j] = number(i + 1, j, row[j]);
            }
            labels[i] = classIndex(i + 1, d, row[d], classNames.size());
        }
        List<String> featureNames = new ArrayList<>(d);
        for (int j = 0; j < d; j++) {
            featureNames.add("f" + j);
        }
        return new Dataset(features, labels, featureNames, classNames);
    }

    /** Line 1 names the columns; {@code labelColumn} (null: the last) holds the class. */
    Dataset readHeaderRow(String labelColumn, List<String> fixedClassNames) {
        String[] header = lines.get(0);
        int width = header.length;
        if (width < 2) {
            throw error(0, "header has " + width + " column; need at least one feature and a label");
        }
        int labelAt = width - 1;
        if (labelColumn != null) {
            labelAt = List.of(header).indexOf(labelColumn);
            if (labelAt < 0) {
                throw error(0, "no column named '" + labelColumn + "' in header " + List.of(header));
            }
        }
        int d = width - 1;
        int n = lines.size() - 1;
        float[] features = new float[n * d];
        String[] rawLabels = new String[n];
        List<String> featureNames = new ArrayList<>(d);
        for (int j = 0; j < width; j++) {
            if (j != labelAt) {
                featureNames.add(header[j]);
            }
        }
        for (int i = 0; i < n; i++) {
            String[] row = lines.get(i + 1);
            requireWidth(i + 1, row, width, "one value per header column");
            int k = 0;
            for (int j = 0; j < width; j++) {
                if (j != labelAt) {
                    features[i * d + k++] = number(i + 1, j, row[j]);
                }
            }
            if (row[labelAt].isEmpty()) {
                throw error(i + 1, "column " + (labelAt + 1) + " (label '" + header[labelAt] + "') is empty");
            }
            rawLabels[i] = row[labelAt];
        }
        List<String> classNames = fixedClassNames != null ? fixedClassNames : inferClassNames(rawLabels);
        boolean byIndex = fixedClassNames == null && allCounts(rawLabels);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = byIndex ? Integer.parseInt(rawLabels[i]) : classNames.indexOf(rawLabels[i]);
            if (labels[i] < 0) {
                throw error(i + 1, "label '" + rawLabels[i] + "' is not one of the classes " + classNames);
            }
        }
        return new Dataset(features, labels, featureNames, classNames);
    }

    /**
     * Integer labels are indices and name themselves {@code "0".."max"}; other labels are sorted
     * alphabetically, which gives every site the same order without a shared list.
     */
    private List<String> inferClassNames(String[] rawLabels) {
        List<String> names = new ArrayList<>();
        if (allCounts(rawLabels)) {
            int max = 1;
            for (String label : rawLabels) {
                max = Math.max(max, Integer.parseInt(label));
            }
            for (int c = 0; c <= max; c++) {
                names.add(Integer.toString(c));
            }
        } else {
            names.addAll(new TreeSet<>(List.of(rawLabels)));
            if (names.size() < 2) {
                throw new IllegalArgumentException(source + ": found only the label values " + names
                        + "; name all classes with CsvDatasetLoader.Builder.classNames(...)"
                        + " so the order matches the other sites");
            }
        }
        return names;
    }

    private static boolean allCounts(String[] values) {
        for (String v : values) {
            if (!v.matches("\\d{1,9}")) {
                return false;
            }
        }
        return true;
    }

    private void requireWidth(int index, String[] row, int expected, String what) {
        if (row.length != expected) {
            throw error(index, "has " + row.length + " fields, expected " + expected + " (" + what + ")");
        }
    }

    private float number(int index, int column, String text) {
        if (text.isEmpty()) {
            throw error(index, "column " + (column + 1) + " is empty; fill or drop missing values before loading");
        }
        float value;
        try {
            value = Float.parseFloat(text);
        } catch (NumberFormatException e) {
            throw error(index, "column " + (column + 1) + ": '" + text + "' is not a number");
        }
        if (!Float.isFinite(value)) {
            throw error(index, "column " + (column + 1) + ": '" + text + "' is not a finite float32");
        }
        return value;
    }

    private int classIndex(int index, int column, String text, int classCount) {
        int c;
        try {
            c = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw error(index, "column " + (column + 1) + ": class index '" + text + "' is not an integer");
        }
        if (c < 0 || c >= classCount) {
            throw error(index, "column " + (column + 1) + ": class index " + c + " is outside [0, " + classCount + ")");
        }
        return c;
    }

    private IllegalArgumentException error(int index, String message) {
        return new IllegalArgumentException(source + " line " + lineNumbers.get(index) + ": " + message);
    }
}
