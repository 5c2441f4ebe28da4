package io.floe.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRank() {
        double[] s = {5, 1, 4, 2, 3};
        assertThat(Percentiles.nearestRank(s, 50)).isEqualTo(3);
        assertThat(Percentiles.nearestRank(s, 20)).isEqualTo(1);
        assertThat(Percentiles.nearestRank(s, 21)).isEqualTo(2);
        assertThat(Percentiles.nearestRank(s, 100)).isEqualTo(5);
        assertThat(s).containsExactly(5, 1, 4, 2, 3);
    }

    @Test
    void p99OfFewerThanAHundredSamplesIsTheMaximumAndOfAHundredTheNinetyNinth() {
        assertThat(Percentiles.nearestRank(new double[] {7, 300, 9}, 99)).isEqualTo(300);
        double[] hundred = new double[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = 100 - i;
        }
        assertThat(Percentiles.nearestRank(hundred, 99)).isEqualTo(99);
        assertThat(Percentiles.nearestRank(hundred, 50)).isEqualTo(50);
    }

    @Test
    void edgeCases() {
        assertThat(Percentiles.nearestRank(new double[] {4}, 50)).isEqualTo(4);
        assertThat(Percentiles.nearestRank(new double[0], 50)).isNaN();
        assertThatThrownBy(() -> Percentiles.nearestRank(new double[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
