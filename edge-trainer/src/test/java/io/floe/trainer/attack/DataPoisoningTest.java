package io.floe.trainer.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.trainer.data.Dataset;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataPoisoningTest {

    @Test
    void flipsBinaryLabelsAndKeepsFeaturesAndNames() {
        Dataset data = new Dataset(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, new int[] {0, 1, 1},
                List.of("radius", "texture"), List.of("malignant", "benign"));

        Dataset flipped = DataPoisoning.flipLabels(data);

        assertThat(flipped.labels()).containsExactly(1, 0, 0);
        assertThat(flipped.featuresRowMajor()).containsExactly(data.featuresRowMajor());
        assertThat(flipped.featureNames()).containsExactly("radius", "texture");
        assertThat(flipped.classNames()).containsExactly("malignant", "benign");
        assertThat(data.labels()).containsExactly(0, 1, 1);
    }

    @Test
    void mirrorsLabelsOfMoreClasses() {
        Dataset data = new Dataset(new float[][] {{0f}, {0f}, {0f}}, new int[] {0, 1, 2});

        assertThat(DataPoisoning.flipLabels(data).labels()).containsExactly(2, 1, 0);
    }

    @Test
    void datasetRelabellingAndAppendingCheckTheirArguments() {
        Dataset a = new Dataset(new float[][] {{1f}, {2f}}, new int[] {0, 1});
        Dataset b = new Dataset(new float[][] {{3f}}, new int[] {1});

        assertThat(a.concat(b).featureRows()).isDeepEqualTo(new float[][] {{1f}, {2f}, {3f}});
        assertThat(a.concat(b).labels()).containsExactly(0, 1, 1);
        assertThatThrownBy(() -> a.withLabels(new int[] {1})).hasMessage("2 rows need 2 labels, got 1");
        assertThatThrownBy(() -> a.withLabels(new int[] {0, 2})).hasMessageContaining("label 2 of row 1");
        Dataset wider = new Dataset(new float[][] {{1f, 2f}}, new int[] {0});
        assertThatThrownBy(() -> a.concat(wider)).hasMessageContaining("feature or class names differ");
    }
}
