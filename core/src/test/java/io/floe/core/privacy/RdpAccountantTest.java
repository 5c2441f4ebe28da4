package io.floe.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RdpAccountantTest {

    private static final double DELTA = 1e-5;

    @Test
    void defaultOrdersAreOpacusGrid() {
        double[] orders = RdpAccountant.defaultOrders();
        // [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64))
        assertThat(orders).hasSize(151);
        assertThat(orders[0]).isEqualTo(1.1);
        assertThat(orders[98]).isEqualTo(10.9);
        assertThat(orders[99]).isEqualTo(12.0);
        assertThat(orders[150]).isEqualTo(63.0);
    }

    @Test
    void analyticCaseWithoutSampling() {
        // Prepare: q = 1 makes each step the Gaussian mechanism, RDP = T alpha / (2 z^2)
        double[] orders = {2, 8, 32};

        // Execute
        double[] rdp = RdpAccountant.rdp(1.0, 1.0, 1, orders);
        PrivacySpent spent = RdpAccountant.privacySpent(orders, rdp, DELTA);

        // Assert: rdp = alpha / 2 = 1, 4, 16. By hand, eps(alpha) = rdp - (ln delta + ln alpha)/(alpha - 1) + ln((alpha - 1)/alpha):
        //   alpha = 2:  1 - (-11.5129255 + 0.6931472) / 1 + ln(1/2) = 1 + 10.8197783 - 0.6931472 = 11.1266311
        //   alpha = 8:  4 - (-11.5129255 + 2.0794415) / 7 + ln(7/8) = 4 + 1.3476406 - 0.1335314 =  5.2141092
        //   alpha = 32: 16 - (-11.5129255 + 3.4657359) / 31 + ln(31/32) = 16 + 0.2595868 - 0.0317487 = 16.2278381
        assertThat(rdp).containsExactly(1.0, 4.0, 16.0);
        assertThat(spent.epsilon()).isCloseTo(5.2141092, within(5e-8));
        assertThat(spent.bestOrder()).isEqualTo(8.0);
        assertThat(spent.bestOrderAtGridEdge()).isFalse();
    }

    @Test
    void analyticCaseOnTheDefaultGrid() {
        double z = 2.0;
        long steps = 30;
        double[] orders = RdpAccountant.defaultOrders();
        double[] rdp = RdpAccountant.rdp(1.0, z, steps, orders);
        double best = Double.POSITIVE_INFINITY;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            assertThat(rdp[k]).isCloseTo(steps * a / (2 * z * z), within(1e-12 * rdp[k]));
            best = Math.min(best, steps * a / (2 * z * z) - (Math.log(DELTA) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a));
        }
        assertThat(RdpAccountant.epsilon(1.0, z, steps, DELTA)).isCloseTo(best, within(1e-12 * best));
    }

    @Test
    void noSamplingMeansNoLossButTheConversionFloorRemains() {
        double[] orders = RdpAccountant.defaultOrders();
        assertThat(RdpAccountant.rdp(0.0, 1.0, 1_000_000, orders)).containsOnly(0.0);
        // Opacus reports the Balle et al. conversion at rdp = 0, minimised over the grid: > 0, and
        // at the largest order here (it decreases in alpha up to 63).
        PrivacySpent spent = RdpAccountant.privacySpent(0.0, 1.0, 1_000_000, DELTA);
        double floor = -(Math.log(DELTA) + Math.log(63)) / 62 + Math.log(62.0 / 63);
        assertThat(spent.epsilon()).isCloseTo(floor, within(1e-15)).isBetween(0.1, 0.11);
        assertThat(spent.bestOrder()).isEqualTo(63.0);
        assertThat(spent.bestOrderAtGridEdge()).isTrue();
        assertThat(RdpAccountant.privacySpent(0.3, 1.0, 0, DELTA).epsilon()).isEqualTo(spent.epsilon());
    }

    @Test
    void moreStepsLessNoiseOrLargerSampleRateSpendMore() {
        double[] steps = IntStream.of(1, 10, 100, 1000, 10_000).mapToDouble(t -> RdpAccountant.epsilon(0.01, 1.1, t, DELTA)).toArray();
        double[] noise = IntStream.of(500, 200, 110, 80, 50).mapToDouble(z -> RdpAccountant.epsilon(0.01, z / 100.0, 1000, DELTA)).toArray();
        double[] rates = IntStream.of(1, 10, 50, 100, 500, 1000).mapToDouble(q -> RdpAccountant.epsilon(q / 1000.0, 1.1, 1000, DELTA)).toArray();
        assertThat(steps).isSorted().doesNotHaveDuplicates();
        assertThat(noise).isSorted().doesNotHaveDuplicates();
        assertThat(rates).isSorted().doesNotHaveDuplicates();
        // and a smaller delta costs more epsilon
        assertThat(RdpAccountant.epsilon(0.01, 1.1, 1000, 1e-7)).isGreaterThan(RdpAccountant.epsilon(0.01, 1.1, 1000, 1e-5));
    }

    @Test
    void phasesComposeByAddingRdp() {
        // Prepare
        RdpAccountant ledger = new RdpAccountant().step(0.01, 1.1, 1000).step(0.05, 2.0, 200);
        double[] orders = RdpAccountant.defaultOrders();
        double[] a = RdpAccountant.rdp(0.01, 1.1, 1000, orders);
        double[] b = RdpAccountant.rdp(0.05, 2.0, 200, orders);
        double[] sum = new double[orders.length];
        for (int k = 0; k < orders.length; k++) {
            sum[k] = a[k] + b[k];
        }

        // Execute + Assert
        assertThat(ledger.rdp(orders)).containsExactly(sum);
        assertThat(ledger.privacySpent(DELTA)).isEqualTo(RdpAccountant.privacySpent(orders, sum, DELTA));
        assertThat(ledger.epsilon(DELTA)).isGreaterThan(RdpAccountant.epsilon(0.01, 1.1, 1000, DELTA))
                .isGreaterThan(RdpAccountant.epsilon(0.05, 2.0, 200, DELTA));
        // the order of the phases does not matter
        RdpAccountant reversed = new RdpAccountant().step(0.05, 2.0, 200).step(0.01, 1.1, 1000);
        assertThat(reversed.epsilon(DELTA)).isCloseTo(ledger.epsilon(DELTA), within(1e-12));
    }

    @Test
    void stepsWithTheSameParametersExtendThePhase() {
        RdpAccountant ledger = new RdpAccountant();
        for (int i = 0; i < 250; i++) {
            ledger.step(0.04, 1.5, 1);
        }
        ledger.step(0.04, 1.5, 0).step(0.04, 1.5, 2000).step(0.04, 2.0, 3).step(0.04, 1.5, 1);
        assertThat(ledger.phases()).containsExactly(
                new RdpAccountant.Phase(0.04, 1.5, 2250), new RdpAccountant.Phase(0.04, 2.0, 3), new RdpAccountant.Phase(0.04, 1.5, 1));
        assertThat(ledger.steps()).isEqualTo(2254);
        assertThat(new RdpAccountant().step(0.04, 1.5, 2250).epsilon(DELTA))
                .isEqualTo(RdpAccountant.epsilon(0.04, 1.5, 2250, DELTA));
        assertThat(new RdpAccountant().epsilon(DELTA)).isEqualTo(RdpAccountant.epsilon(0.0, 1.0, 0, DELTA));
    }

    /**
     * pytorch/opacus, opacus/tests/accountants_test.py, test_rdp_accountant: 2250 steps of
     * (q = 0.04, z = 1.5) cost epsilon = 7.32911117143 at delta = 1e-5 (assertAlmostEqual, 7 places).
     */
    @Test
    void opacusPublishedEpsilon() {
        RdpAccountant ledger = new RdpAccountant();
        for (int i = 0; i < 2250; i++) { // int(90 / 0.04), one step() per batch as in the test
            ledger.step(0.04, 1.5, 1);
        }
        assertThat(ledger.epsilon(1e-5)).isCloseTo(7.32911117143, within(5e-8));
    }

    /**
     * tensorflow/privacy, tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py
     * (Test0..Test2): epsilon and best order of compute_dp_sgd_privacy(n, batch, z, epochs, delta)
     * with q = batch / n, ceil(epochs n / batch) steps and TF Privacy's order grid; the
     * conversion there is the same Balle et al. bound.
     */
    @Test
    void tfPrivacyPublishedEpsilons() {
        List<Double> tfOrders = new ArrayList<>(List.of(1.25, 1.5, 1.75, 2., 2.25, 2.5, 3., 3.5, 4., 4.5));
        IntStream.range(5, 64).forEach(a -> tfOrders.add((double) a));
        tfOrders.addAll(List.of(128.0, 256.0, 512.0));
        double[] orders = tfOrders.stream().mapToDouble(Double::doubleValue).toArray();
        double[][] cases = { // n, batch, z, epochs, delta, expected eps, expected order
            {60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0},
            {100000, 100, 1.0, 30, 1e-7, 1.4154988495444845, 13.0},
            {100000000, 1024, 0.1, 10, 1e-7, 5907982.31138195, 1.25},
        };
        for (double[] c : cases) {
            double q = c[1] / c[0];
            long steps = (long) Math.ceil(c[3] * c[0] / c[1]);
            PrivacySpent spent = RdpAccountant.privacySpent(orders, RdpAccountant.rdp(q, c[2], steps, orders), c[4]);
            assertThat(spent.epsilon()).isCloseTo(c[5], within(1e-9 * c[5]));
            assertThat(spent.bestOrder()).isEqualTo(c[6]);
        }
    }

    /**
     * tensorflow/privacy, rdp_accountant_test.py, test_get_privacy_spent_check_target_delta:
     * constant RDP 1.1 over orders 2..32 gives eps = 1.32783806176 at order 32; and the Gaussian
     * mechanism with z = 4.530877117 is (1, 1e-6)-DP over a fine order grid (7 places).
     */
    @Test
    void tfPrivacyPublishedConversions() {
        double[] orders = IntStream.rangeClosed(2, 32).asDoubleStream().toArray();
        double[] constant = new double[orders.length];
        Arrays.fill(constant, 1.1);
        PrivacySpent pure = RdpAccountant.privacySpent(orders, constant, 1e-5);
        assertThat(pure.epsilon()).isCloseTo(1.32783806176, within(5e-8));
        assertThat(pure.bestOrder()).isEqualTo(32.0);

        double[] fine = IntStream.range(1001, 100_000).mapToDouble(i -> 0.001 * i).toArray(); // TF starts at 1.000
        PrivacySpent gaussian = RdpAccountant.privacySpent(fine, RdpAccountant.rdp(1, 4.530877117, 1, fine), 1e-6);
        assertThat(gaussian.epsilon()).isCloseTo(1.0, within(5e-8));
    }

    @Test
    void allNanGivesInfiniteEpsilonLikeOpacus() {
        double[] orders = {2, 3};
        PrivacySpent spent = RdpAccountant.privacySpent(orders, new double[] {Double.NaN, Double.NaN}, DELTA);
        assertThat(spent.epsilon()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(spent.bestOrder()).isNaN();
        PrivacySpent oneLeft = RdpAccountant.privacySpent(orders, new double[] {Double.NaN, 1.0}, DELTA);
        assertThat(oneLeft.bestOrder()).isEqualTo(3.0);
        PrivacySpent allInfinite = RdpAccountant.privacySpent(orders,
                new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}, DELTA);
        assertThat(allInfinite.epsilon()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(allInfinite.bestOrder()).isEqualTo(2.0); // numpy nanargmin: first of equal minima
    }

    @Test
    void invalidInputIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> RdpAccountant.epsilon(1.5, 1.0, 10, DELTA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sample rate q must be in [0, 1]").hasMessageContaining("1.5");
        assertThatThrownBy(() -> RdpAccountant.epsilon(-0.1, 1.0, 10, DELTA)).hasMessageContaining("sample rate");
        assertThatThrownBy(() -> RdpAccountant.epsilon(Double.NaN, 1.0, 10, DELTA)).hasMessageContaining("sample rate");
        assertThatThrownBy(() -> RdpAccountant.epsilon(0.1, 0.0, 10, DELTA))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noise multiplier z must be positive");
        assertThatThrownBy(() -> RdpAccountant.epsilon(0.1, -1.0, 10, DELTA)).hasMessageContaining("noise multiplier");
        assertThatThrownBy(() -> RdpAccountant.epsilon(0.1, Double.POSITIVE_INFINITY, 10, DELTA)).hasMessageContaining("noise multiplier");
        assertThatThrownBy(() -> RdpAccountant.epsilon(0.1, 1.0, -1, DELTA)).hasMessageContaining("steps must be >= 0");
        for (double delta : new double[] {0, 1, -1e-5, 2, Double.NaN}) {
            assertThatThrownBy(() -> RdpAccountant.epsilon(0.1, 1.0, 10, delta))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delta must be in (0, 1)");
        }
        assertThatThrownBy(() -> new RdpAccountant().step(2, 1, 1)).hasMessageContaining("sample rate");
        assertThatThrownBy(() -> new RdpAccountant().epsilon(0)).hasMessageContaining("delta");
        assertThatThrownBy(() -> RdpAccountant.rdp(0.1, 1, 1, new double[] {2, 1.0})).hasMessageContaining("orders must be > 1");
        assertThatThrownBy(() -> RdpAccountant.privacySpent(new double[] {2}, new double[] {1, 2}, DELTA)).hasMessageContaining("same length");
    }
}
