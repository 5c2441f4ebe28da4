package io.floe.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SampledGaussianRdpTest {

    @Test
    void withoutSamplingItIsTheGaussianMechanism() {
        // q = 1: RDP = alpha / (2 z^2) at every order (Mironov 2017, Prop. 7)
        for (double z : new double[] {0.5, 1.0, 3.7}) {
            for (double alpha : RdpAccountant.defaultOrders()) {
                assertThat(SampledGaussianRdp.rdp(1.0, z, alpha)).isEqualTo(alpha / (2 * z * z));
            }
        }
    }

    @Test
    void withoutDataThereIsNoLoss() {
        for (double alpha : RdpAccountant.defaultOrders()) {
            assertThat(SampledGaussianRdp.rdp(0.0, 1.0, alpha)).isZero();
        }
    }

    @Test
    void withoutNoiseThereIsNoPrivacy() {
        assertThat(SampledGaussianRdp.rdp(0.5, 0.0, 2.0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(SampledGaussianRdp.rdp(0.5, 1.0, Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    /**
     * log A_alpha against multi-precision quadrature of its defining integral, with the cases and
     * the tolerance (rtol 1e-4) of TF Privacy's {@code test_compute_log_a_equals_mp}
     * (tensorflow/privacy, tensorflow_privacy/privacy/analysis/rdp_accountant_test.py). The
     * right-hand values were recomputed here with mpmath 1.2.1 exactly as that test does
     * ({@code quad(npdf(x, 0, sigma) * ((1-q) + q exp((2x-1)/(2 sigma^2)))^alpha, maxdegree=8)}).
     */
    @ParameterizedTest
    @CsvSource({
        "1e-7,  0.1, 1.01,  4.003412327842531e-08",
        "1e-6,  0.1, 256,   3260234.5099259755",
        "1e-5,  0.1, 256.1, 3263356.2822869574",
        "1e-6,  1,   27,    8.769503540806863e-10",
        "1e-4,  1,   1.5,   6.442686970363956e-09",
        "1e-3,  1,   2,     1.7182803522127806e-06",
        "0.01,  10,  20,    0.00019129699912825616",
        "0.1,   100, 20.5,  0.00019991818458125194",
        "0.99,  0.1, 256,   3263768.707742836",
        "0.999, 100, 256.1, 3.260108037973113",
    })
    void logAMatchesNumericalIntegration(double q, double z, double alpha, double logAMp) {
        assertThat(SampledGaussianRdp.logA(q, z, alpha)).isCloseTo(logAMp, within(1e-4 * Math.abs(logAMp)));
    }

    /** TF Privacy rdp_accountant_test.py, test_compute_rdp_scalar: compute_rdp(0.1, 2, 10, 5) = 0.07737 (5 places). */
    @Test
    void tfPrivacyScalarCase() {
        assertThat(10 * SampledGaussianRdp.rdp(0.1, 2, 5)).isCloseTo(0.07737, within(5e-6));
    }

    /** TF Privacy rdp_accountant_test.py, test_compute_rdp_sequence: q = 0.01, z = 2.5, 50 steps, rtol 1e-4. */
    @Test
    void tfPrivacySequenceCase() {
        double[] orders = {1.5, 2.5, 5, 50, 100};
        double[] expected = {6.5007e-04, 1.0854e-03, 2.1808e-03, 2.3846e-02, 1.6742e+02};
        for (int k = 0; k < orders.length; k++) {
            assertThat(50 * SampledGaussianRdp.rdp(0.01, 2.5, orders[k])).isCloseTo(expected[k], within(1e-4 * expected[k]));
        }
    }

    /**
     * The two expansions of A_alpha are different code paths for the same integral: at an integer
     * order the erfc series (its coefficients vanish past alpha) must give the binomial sum, and
     * just off an integer it must be continuous with it.
     */
    @ParameterizedTest
    @CsvSource({"0.01, 1.1, 2", "0.01, 1.1, 17", "0.3, 0.7, 5", "0.9, 2.0, 40", "1e-5, 0.5, 63"})
    void fractionalSeriesAgreesWithBinomialSum(double q, double z, int alpha) {
        double exact = SampledGaussianRdp.logAIntegerOrder(q, z, alpha);
        double tol = 1e-9 * Math.max(1e-300, Math.abs(exact));
        assertThat(SampledGaussianRdp.logAFractionalOrder(q, z, alpha)).isCloseTo(exact, within(tol));
        double slope = Math.abs(SampledGaussianRdp.logAIntegerOrder(q, z, alpha + 1) - exact) + 1e-300;
        assertThat(SampledGaussianRdp.logAFractionalOrder(q, z, alpha + 1e-7)).isCloseTo(exact, within(1e-6 * slope + tol));
    }

    @Test
    void logSpaceArithmetic() {
        assertThat(SampledGaussianRdp.logAdd(Math.log(2), Math.log(3))).isCloseTo(Math.log(5), within(1e-15));
        assertThat(SampledGaussianRdp.logAdd(Double.NEGATIVE_INFINITY, 1.5)).isEqualTo(1.5);
        assertThat(SampledGaussianRdp.logAdd(-1000, 1000)).isEqualTo(1000);
        assertThat(SampledGaussianRdp.logSub(Math.log(5), Math.log(3))).isCloseTo(Math.log(2), within(1e-15));
        assertThat(SampledGaussianRdp.logSub(1.5, Double.NEGATIVE_INFINITY)).isEqualTo(1.5);
        assertThat(SampledGaussianRdp.logSub(1.5, 1.5)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(SampledGaussianRdp.logSub(1000, -1000)).isEqualTo(1000); // Opacus: OverflowError -> logx
        assertThat(SampledGaussianRdp.logSub(1.0, 2.0)).isNaN(); // Opacus raises ValueError
    }
}
