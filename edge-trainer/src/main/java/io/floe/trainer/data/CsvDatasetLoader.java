package io.floe.trainer.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Reads a hospital's local table from CSV into a {@link Dataset}.
 *
 * <p>Two layouts are understood:
 * <ul>
 *   <li>{@link Format#SKLEARN_HEADER}: the layout of scikit-learn's bundled data files, such as
 *       {@code data/wdbc/breast_cancer.csv}: a first line {@code rows,features,class0,class1,...}
 *       (e.g. {@code 569,30,malignant,benign}), then rows of the feature values followed by the
 *       class index.</li>
 *   <li>{@link Format#HEADER_ROW}: an ordinary CSV whose first line names the columns; the label
 *       column is chosen by name (default: the last column) and every other column is a
 *       feature. Integer labels are class indices; other labels are class names, ordered
 *       alphabetically unless {@link Builder#classNames} fixes the order.</li>
 * </ul>
 * {@link Format#AUTO} (the default) picks the first layout when line 1 starts with two
 * non-negative integers followed by class names, else the second.
 *
 * <p>Every value must be a finite number: the loader does not impute, since how to fill a
 * missing lab value is a clinical choice the site must make. A bad row fails the whole load
 * with the source name, line number and column, e.g.
 * {@code breast_cancer.csv line 12, column 3: 'abc' is not a number}.
 *
 * <p>Fields are split on commas; a field may be wrapped in double quotes (which are removed),
 * but quoted fields may not contain commas or line breaks.
 *
 * <p>{@code
 * Dataset wdbc = CsvDatasetLoader.defaults().load(Path.of("data/wdbc/breast_cancer.csv"));
 * Dataset site = CsvDatasetLoader.builder().labelColumn("diagnosis").classNames("B", "M").build().load(p);
 * }
 */
public final class CsvDatasetLoader {
    /** The file layouts this loader reads. */
    public enum Format { AUTO, SKLEARN_HEADER, HEADER_ROW }

    private final Format format;
    private final String labelColumn;
    private final List<String> classNames;

    private CsvDatasetLoader(Builder builder) {
        this.format = builder.format;
        this.labelColumn = builder.labelColumn;
        this.classNames = builder.classNames;
    }

    /** Auto-detected layout, label in the last column, class order inferred. */
    public static CsvDatasetLoader defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads {@code path} as UTF-8. */
    public Dataset load(Path path) throws IOException {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return load(reader, path.getFileName().toString());
        }
    }

    /**
     * Reads CSV text from {@code reader}; {@code sourceName} only appears in error messages.
     *
     * @throws IllegalArgumentException for malformed content, naming the line
     */
    public Dataset load(Reader reader, String sourceName) throws IOException {
        List<String[]> lines = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        int lineNumber = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // byte-order mark written by spreadsheet exports
            }
            if (!line.isBlank()) {
                lines.add(split(line));
                lineNumbers.add(lineNumber);
            }
        }
        CsvTable table = new CsvTable(sourceName, lines, lineNumbers);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(sourceName + " is empty; expected a header line and data rows");
        }
        Format resolved = format == Format.AUTO ? detect(lines.get(0)) : format;
        return resolved == Format.SKLEARN_HEADER ? table.readSklearn() : table.readHeaderRow(labelColumn, classNames);
    }

    /** The layout of a file whose first non-blank line is {@code header}. */
    static Format detect(String[] header) {
        return header.length >= 4 && isCount(header[0]) && isCount(header[1])
                ? Format.SKLEARN_HEADER : Format.HEADER_ROW;
    }

    private static boolean isCount(String field) {
        return field.trim().matches("\\d{1,9}");
    }

    /** Splits one line on commas, removing double quotes around a field. */
    static String[] split(String line) {
        String[] fields = line.split(",", -1);
        for (int i = 0; i < fields.length; i++) {
            String f = fields[i].trim();
            if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) {
                f = f.substring(1, f.length() - 1);
            }
            fields[i] = f;
        }
        return fields;
    }

    /** Configures a {@link CsvDatasetLoader}; each setter checks its argument. */
    public static final class Builder {
        private Format format = Format.AUTO;
        private String labelColumn;
        private List<String> classNames;

        private Builder() {}

        /** Forces a layout instead of detecting it. */
        public Builder format(Format format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /** The label column of a {@link Format#HEADER_ROW} file; by default the last column. */
        public Builder labelColumn(String labelColumn) {
            if (labelColumn == null || labelColumn.isBlank()) {
                throw new IllegalArgumentException("label column name must not be blank");
            }
            this.labelColumn = labelColumn.trim();
            return this;
        }

        /**
         * Fixes the class order of a {@link Format#HEADER_ROW} file: label value
         * {@code classNames[i]} becomes class index {@code i}. Sites of one federation should
         * all pass the same order, so that class 1 means the same thing at every hospital.
         */
        public Builder classNames(String... classNames) {
            if (classNames.length < 2 || new TreeSet<>(Arrays.asList(classNames)).size() != classNames.length) {
                throw new IllegalArgumentException("need at least two distinct class names, got "
                        + Arrays.toString(classNames));
            }
            this.classNames = List.of(classNames);
            return this;
        }

        public CsvDatasetLoader build() {
            if (format == Format.SKLEARN_HEADER && (labelColumn != null || classNames != null)) {
                throw new IllegalStateException("the scikit-learn layout names its classes in line 1 and keeps the"
                        + " label last; drop labelColumn/classNames or use Format.HEADER_ROW");
            }
            return new CsvDatasetLoader(this);
        }
    }
}
