package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CsvDatasetLoaderTest {
    /** The module runs its tests from edge-trainer/, the data lives at the repository root. */
    static final Path WDBC = Path.of("../data/wdbc/breast_cancer.csv");

    private static Dataset read(CsvDatasetLoader loader, String csv) throws IOException {
        return loader.load(new StringReader(csv), "test.csv");
    }

    @Test
    void readsTheScikitLearnLayout() throws IOException {
        String csv = "3,2,malignant,benign\n"
                + "1.5,2,0\n"
                + "3,-4e1,1\n"
                + "\n"
                + "5,6,1\n";

        Dataset d = read(CsvDatasetLoader.defaults(), csv);

        assertThat(d.size()).isEqualTo(3);
        assertThat(d.classNames()).containsExactly("malignant", "benign");
        assertThat(d.featuresRowMajor()).containsExactly(1.5f, 2f, 3f, -40f, 5f, 6f);
        assertThat(d.labels()).containsExactly(0, 1, 1);
    }

    @Test
    void readsTheBundledWdbcFile() throws IOException {
        Dataset wdbc = CsvDatasetLoader.defaults().load(WDBC);

        assertThat(wdbc.size()).isEqualTo(569);
        assertThat(wdbc.featureCount()).isEqualTo(30);
        assertThat(wdbc.classNames()).containsExactly("malignant", "benign");
        assertThat(wdbc.classCounts()).containsExactly(212, 357);
        assertThat(wdbc.feature(0, 0)).isEqualTo(17.99f); // first value of the file
        assertThat(wdbc.feature(568, 29)).isEqualTo(0.07039f); // last feature of the last row
    }

    @Test
    void readsAHeaderRowWithANamedStringLabel() throws IOException {
        String csv = "age,diagnosis,\"size\"\n"
                + "50,M,1.5\n"
                + "41,B,0.5\n"
                + "63,M,2\n";

        Dataset d = read(CsvDatasetLoader.builder().labelColumn("diagnosis").build(), csv);

        assertThat(d.featureNames()).containsExactly("age", "size");
        assertThat(d.classNames()).containsExactly("B", "M"); // alphabetical
        assertThat(d.labels()).containsExactly(1, 0, 1);
        assertThat(d.row(1)).containsExactly(41f, 0.5f);
    }

    @Test
    void fixedClassNamesSetTheIndexOrder() throws IOException {
        String csv = "x,y\n1,no\n2,yes\n";

        Dataset d = read(CsvDatasetLoader.builder().classNames("yes", "no").build(), csv);

        assertThat(d.labels()).containsExactly(1, 0);
    }

    @Test
    void integerLabelsInTheLastColumnAreClassIndices() throws IOException {
        Dataset d = read(CsvDatasetLoader.defaults(), "a,b,label\n1,2,1\n3,4,0\n");

        assertThat(d.classNames()).containsExactly("0", "1");
        assertThat(d.labels()).containsExactly(1, 0);
        assertThat(d.featureNames()).containsExactly("a", "b");
    }

    @Test
    void malformedRowsNameTheirLine() {
        CsvDatasetLoader loader = CsvDatasetLoader.defaults();

        assertThatThrownBy(() -> read(loader, "2,2,a,b\n1,2,0\n1,x,1\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("test.csv line 3: column 2: 'x' is not a number");
        assertThatThrownBy(() -> read(loader, "2,2,a,b\n1,2,0\n1,2\n"))
                .hasMessage("test.csv line 3: has 2 fields, expected 3 (2 features and a class index)");
        assertThatThrownBy(() -> read(loader, "2,2,a,b\n1,2,0\n1,2,2\n"))
                .hasMessage("test.csv line 3: column 3: class index 2 is outside [0, 2)");
        assertThatThrownBy(() -> read(loader, "3,2,a,b\n1,2,0\n1,2,1\n"))
                .hasMessageContaining("declares 3 rows, found 2");
        assertThatThrownBy(() -> read(loader, "a,b\n1,0\n,1\n"))
                .hasMessageContaining("test.csv line 3: column 1 is empty");
        assertThatThrownBy(() -> read(loader, "a,b\n1,0\nNaN,1\n"))
                .hasMessageContaining("line 3: column 1: 'NaN' is not a finite float32");
        assertThatThrownBy(() -> read(CsvDatasetLoader.builder().labelColumn("y").build(), "a,b\n1,0\n"))
                .hasMessageContaining("line 1: no column named 'y'");
        assertThatThrownBy(() -> read(CsvDatasetLoader.builder().classNames("n", "y").build(), "a,b\n1,n\n2,maybe\n"))
                .hasMessageContaining("line 3: label 'maybe' is not one of the classes [n, y]");
        assertThatThrownBy(() -> read(loader, "")).hasMessageContaining("test.csv is empty");
    }

    @Test
    void aSingleStringClassNeedsExplicitClassNames() {
        assertThatThrownBy(() -> read(CsvDatasetLoader.defaults(), "a,b\n1,M\n2,M\n"))
                .hasMessageContaining("found only the label values [M]");
    }

    @Test
    void builderRejectsContradictorySettings() {
        assertThatThrownBy(() -> CsvDatasetLoader.builder().format(CsvDatasetLoader.Format.SKLEARN_HEADER)
                .labelColumn("y").build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> CsvDatasetLoader.builder().classNames("a", "a"))
                .hasMessageContaining("two distinct class names");
    }
}
