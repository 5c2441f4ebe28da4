package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetTest {
    private final Dataset data = new Dataset(
            new float[][] {{1f, 2f}, {3f, 4f}, {5f, 6f}, {7f, 8f}},
            new int[] {0, 1, 1, 0});

    @Test
    void exposesShapeAndClassCounts() {
        assertThat(data.size()).isEqualTo(4);
        assertThat(data.featureCount()).isEqualTo(2);
        assertThat(data.classCounts()).containsExactly(2, 2);
        assertThat(data.featureNames()).containsExactly("f0", "f1");
        assertThat(data.classNames()).containsExactly("0", "1");
        assertThat(data.featuresRowMajor()).containsExactly(1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f);
        assertThat(data.rowsOfClass(1)).containsExactly(1, 2);
    }

    @Test
    void subsetKeepsTheGivenOrderAndNames() {
        Dataset s = data.subset(new int[] {2, 0, 2});

        assertThat(s.featureRows()).isDeepEqualTo(new float[][] {{5f, 6f}, {1f, 2f}, {5f, 6f}});
        assertThat(s.labels()).containsExactly(1, 0, 1);
        assertThat(s.classNames()).isEqualTo(data.classNames());
        assertThat(data.subset(new int[0]).size()).isZero();
    }

    @Test
    void isNotChangedThroughItsArrays() {
        float[][] rows = {{1f}, {2f}};
        int[] labels = {0, 1};
        Dataset d = new Dataset(rows, labels);

        rows[0][0] = 99f;
        labels[0] = 1;
        d.featuresRowMajor()[0] = 42f;
        d.row(0)[0] = 42f;

        assertThat(d.feature(0, 0)).isEqualTo(1f);
        assertThat(d.label(0)).isZero();
    }

    @Test
    void rejectsInconsistentInput() {
        assertThatThrownBy(() -> new Dataset(new float[][] {{1f, 2f}, {3f}}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 features");
        assertThatThrownBy(() -> new Dataset(new float[] {1f, 2f, 3f}, new int[] {0, 1}, List.of("a"),
                List.of("n", "y")))
                .hasMessageContaining("need 2 feature values, got 3");
        assertThatThrownBy(() -> new Dataset(new float[] {1f}, new int[] {2}, List.of("a"), List.of("n", "y")))
                .hasMessageContaining("label 2 of row 0");
        assertThatThrownBy(() -> data.subset(new int[] {4})).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void splitTrainValidationIsStratified() {
        Dataset[] parts = data.splitTrainValidation(0.5, 1L);

        assertThat(parts[0].classCounts()).containsExactly(1, 1);
        assertThat(parts[1].classCounts()).containsExactly(1, 1);
    }
}
