package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StandardScalerTest {

    @Test
    void fitsPopulationMeanAndDeviation() {
        // feature 0: 1, 3, 5 -> mean 3, variance (4 + 0 + 4) / 3, std sqrt(8/3) = 1.6329932
        // feature 1: constant 10 -> std 0, replaced by 1
        Dataset train = new Dataset(new float[][] {{1f, 10f}, {3f, 10f}, {5f, 10f}}, new int[] {0, 1, 0});

        StandardScaler scaler = StandardScaler.fit(train);

        assertThat(scaler.mean()).containsExactly(3f, 10f);
        assertThat(scaler.std()[0]).isCloseTo(1.6329932f, within(1e-6f));
        assertThat(scaler.std()[1]).isEqualTo(1f);
    }

    @Test
    void transformAppliesTheTrainStatisticsToOtherData() {
        Dataset train = new Dataset(new float[][] {{1f, 10f}, {3f, 10f}, {5f, 10f}}, new int[] {0, 1, 0});
        Dataset test = new Dataset(new float[][] {{7f, 12f}}, new int[] {1});
        StandardScaler scaler = StandardScaler.fit(train);

        Dataset scaledTrain = scaler.transform(train);
        Dataset scaledTest = scaler.transform(test);

        // (1 - 3) / 1.6329932 = -1.2247449; the constant column maps to 0
        assertThat(scaledTrain.row(0)).containsExactly(new float[] {-1.2247449f, 0f}, within(1e-6f));
        // (7 - 3) / 1.6329932 = 2.4494897; (12 - 10) / 1 = 2
        assertThat(scaledTest.row(0)).containsExactly(new float[] {2.4494897f, 2f}, within(1e-6f));
        assertThat(scaledTest.labels()).containsExactly(1);
        assertThat(train.row(0)).containsExactly(1f, 10f);
    }

    @Test
    void rejectsEmptyDataAndWrongWidth() {
        Dataset one = new Dataset(new float[][] {{1f, 2f}}, new int[] {0});
        assertThatThrownBy(() -> StandardScaler.fit(one.subset(new int[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> StandardScaler.fit(one).transform(new Dataset(new float[][] {{1f}}, new int[] {0})))
                .hasMessageContaining("fitted on 2 features, data has 1");
        assertThatThrownBy(() -> StandardScaler.of(new float[] {0f}, new float[] {0f}))
                .hasMessageContaining("positive deviation");
    }
}
