package io.floe.core.aggregate;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * floor(factor * value) with factor taken as the decimal an operator wrote: in binary,
 * 0.29 * 100 is 28.999999999999996 and would floor to 28 instead of 29.
 */
final class DecimalProduct {
    private DecimalProduct() {
    }

    static long floor(double decimalFactor, double value) {
        return new BigDecimal(Double.toString(decimalFactor)).multiply(new BigDecimal(value))
                .setScale(0, RoundingMode.FLOOR).longValueExact();
    }
}
