package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SkewDrawsTest {

    @Test
    void apportionGivesLeftoversToTheLargestRemainders() {
        // 10/3 = 3.33 each: floors 3, 3, 3, the one left goes to the first (ties to the lower index)
        assertThat(SkewDraws.apportion(new double[] {1, 1, 1}, 10)).containsExactly(4, 3, 3);
        // exact 3.5, 1.75, 1.75: floors 3, 1, 1; two left go to the .75 remainders
        assertThat(SkewDraws.apportion(new double[] {0.5, 0.25, 0.25}, 7)).containsExactly(3, 2, 2);
        assertThat(SkewDraws.apportion(new double[] {0, 2}, 5)).containsExactly(0, 5);
        assertThat(SkewDraws.apportion(new double[] {1, 1}, 0)).containsExactly(0, 0);
    }

    @Test
    void gammaHasMeanEqualToShape() {
        SplittableRandom random = new SplittableRandom(1L);
        for (double shape : new double[] {0.2, 0.5, 1.0, 3.0}) {
            double sum = 0.0;
            int draws = 20_000;
            for (int i = 0; i < draws; i++) {
                double g = SkewDraws.gamma(shape, random);
                assertThat(g).isGreaterThanOrEqualTo(0.0);
                sum += g;
            }
            // standard error sqrt(shape / draws) is at most 0.013 here
            assertThat(sum / draws).as("mean of Gamma(%s)", shape).isCloseTo(shape, within(0.05));
        }
    }

    @Test
    void dirichletDrawsLieOnTheSimplex() {
        SplittableRandom random = new SplittableRandom(2L);
        for (int i = 0; i < 100; i++) {
            double[] p = SkewDraws.dirichlet(new double[] {0.3, 0.5, 2.0}, random);
            assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, within(1e-12));
            assertThat(Arrays.stream(p).min().getAsDouble()).isGreaterThanOrEqualTo(0.0);
        }
        // a concentration so small every Gamma underflows still gives a corner
        double[] corner = SkewDraws.dirichlet(new double[] {1e-300, 1e-300}, random);
        assertThat(Arrays.stream(corner).sum()).isEqualTo(1.0);
    }
}
