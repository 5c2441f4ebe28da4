package io.floe.core.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErfcTest {

    /**
     * x, erfc(x), log erfc(x): 40-digit values from mpmath 1.2.1 ({@code mp.dps = 40;
     * erfc(x), log(erfc(x))}), rounded to 20 digits. Points sit on both sides of Cody's interval
     * breaks (0.46875, 4) and of erfc's underflow (about 26.5).
     */
    @ParameterizedTest
    @CsvSource({
        "-5,      1.9999999999984625402,     0.69314718055917657952",
        "-2,      1.9953222650189527342,     0.69080557364658765676",
        "-1,      1.8427007929497148693,     0.61123231767807049464",
        "-0.5,    1.5204998778130465377,     0.41903914777555958036",
        "-0.3,    1.3286267594591274162,     0.28414589714140825002",
        "0,       1.0,                       0.0",
        "1e-10,   0.99999999988716208329,    -1.1283791671591745922e-10",
        "0.2,     0.77729741078952153382,    -0.25193223378261667644",
        "0.46875, 0.50738652678206200841,    -0.67848218561439609899",
        "0.5,     0.47950012218695346232,    -0.73501112983708440303",
        "1,       0.15729920705028513066,    -1.8496055099332482486",
        "2,       0.0046777349810472658379,  -5.3649412646166375745",
        "3,       2.2090496998585441373e-5,  -10.720363041981112568",
        "4,       1.5417257900280018852e-8,  -17.987778312103006503",
        "4.5,     1.9661604415428874763e-10, -22.349768303435940757",
        "5,       1.5374597944280348502e-12, -27.200889545537434422",
        "10,      2.088487583762544757e-45,  -102.87988902484488857",
        "26,      5.6631924088561428465e-296, -679.83119976319423026",
    })
    void matchesMultiPrecisionValues(double x, double erfc, double logErfc) {
        assertThat(Erfc.erfc(x)).isCloseTo(erfc, within(1e-14 * erfc));
        assertThat(Erfc.logErfc(x)).isCloseTo(logErfc, within(1e-14 * Math.max(1, Math.abs(logErfc))));
    }

    /** Past the underflow of erfc itself only the log is representable (mpmath, 40 digits). */
    @ParameterizedTest
    @CsvSource({
        "27,    -732.86888650789741098",
        "30,    -903.97411711064387808",
        "100,   -10005.177585122664333",
        "1e4,   -100000009.7827053199",
    })
    void logErfcStaysFiniteInTheFarTail(double x, double logErfc) {
        assertThat(Erfc.logErfc(x)).isCloseTo(logErfc, within(1e-14 * Math.abs(logErfc)));
        assertThat(Erfc.erfc(x)).isBetween(0.0, Double.MIN_NORMAL);
    }

    @Test
    void reflectionAndLimits() {
        for (double x = -6; x <= 6; x += 0.01) {
            assertThat(Erfc.erfc(x) + Erfc.erfc(-x)).isCloseTo(2.0, within(1e-15));
        }
        assertThat(Erfc.erfc(Double.NEGATIVE_INFINITY)).isEqualTo(2.0);
        assertThat(Erfc.erfc(Double.POSITIVE_INFINITY)).isEqualTo(0.0);
        assertThat(Erfc.logErfc(Double.POSITIVE_INFINITY)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Erfc.logErfc(-1e300)).isEqualTo(Math.log(2));
        assertThat(Erfc.erfc(Double.NaN)).isNaN();
        assertThat(Erfc.logErfc(Double.NaN)).isNaN();
    }

    @Test
    void continuousAcrossIntervalBreaks() {
        for (double brk : new double[] {0.46875, 4.0}) {
            double below = Erfc.logErfc(Math.nextDown(brk));
            double above = Erfc.logErfc(Math.nextUp(brk));
            assertThat(above).isCloseTo(below, within(1e-14 * Math.abs(below)));
        }
    }
}
