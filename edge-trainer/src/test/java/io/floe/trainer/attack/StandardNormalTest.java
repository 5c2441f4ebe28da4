package io.floe.trainer.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StandardNormalTest {

    /** Quantiles as R's qnorm and Python's NormalDist.inv_cdf print them (both AS 241). */
    @ParameterizedTest
    @CsvSource({
        "0.5, 0.0",
        "0.7, 0.5244005127080407",
        "0.9, 1.2815515655446008",
        "0.975, 1.9599639845400536",
        "0.999, 3.090232306167813",
        "0.02425, -1.9729610513118845",
        "1e-5, -4.2648907939228256",
        "1e-10, -6.361340902404056",
        "1e-20, -9.262340089798405",
        "1e-300, -37.0470962993612",
        "0.999999, 4.753424308817089"})
    void matchesReferenceQuantiles(double p, double expected) {
        assertThat(StandardNormal.quantile(p)).isCloseTo(expected, within(1e-14 * Math.max(1, Math.abs(expected))));
    }

    @Test
    void isOddAroundOneHalfAndIncreasing() {
        double previous = Double.NEGATIVE_INFINITY;
        for (int k = 1; k < 1000; k++) {
            double p = k / 1000.0;
            double x = StandardNormal.quantile(p);
            assertThat(x).isGreaterThan(previous);
            assertThat(StandardNormal.quantile(1 - p)).isCloseTo(-x, within(1e-12));
            previous = x;
        }
    }

    /** Inverts Phi computed independently, by Simpson's rule on the density (2000 panels). */
    @ParameterizedTest
    @ValueSource(doubles = {-5.0, -3.3, -2.0, -0.9, -0.1, 0.0, 0.4, 1.0, 1.7, 2.6, 4.2})
    void invertsTheDistributionFunction(double x) {
        int panels = 2000;
        double h = x / panels;
        double sum = density(0) + density(x);
        for (int i = 1; i < panels; i++) {
            sum += (i % 2 == 1 ? 4 : 2) * density(i * h);
        }
        double phi = 0.5 + sum * h / 3;

        assertThat(StandardNormal.quantile(phi)).isCloseTo(x, within(1e-9));
    }

    private static double density(double t) {
        return Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
    }

    @Test
    void mapsTheEndsToInfinityAndRejectsNonProbabilities() {
        assertThat(StandardNormal.quantile(0.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(StandardNormal.quantile(1.0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> StandardNormal.quantile(1.5)).hasMessageContaining("[0, 1], got 1.5");
        assertThatThrownBy(() -> StandardNormal.quantile(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StandardNormal.quantile(-0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
