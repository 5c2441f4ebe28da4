package io.floe.core.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StalenessFunctionTest {

    @Test
    void constantIsOne() {
        assertThat(new StalenessFunction.Constant().weight(0)).isEqualTo(1.0);
        assertThat(new StalenessFunction.Constant().weight(17)).isEqualTo(1.0);
    }

    @Test
    void polynomialIsOnePlusTauToTheMinusA() {
        StalenessFunction s = new StalenessFunction.Polynomial(0.5);
        assertThat(s.weight(0)).isEqualTo(1.0);
        assertThat(s.weight(3)).isCloseTo(0.5, within(1e-15));          // 4^-0.5
        assertThat(new StalenessFunction.Polynomial(2).weight(1)).isCloseTo(0.25, within(1e-15)); // 2^-2
    }

    @Test
    void hingeIsOneUpToBThenDecays() {
        StalenessFunction s = new StalenessFunction.Hinge(10, 4);
        assertThat(s.weight(4)).isEqualTo(1.0);
        assertThat(s.weight(5)).isCloseTo(1.0 / 11, within(1e-15));     // 1 / (10 * 1 + 1)
        assertThat(s.weight(7)).isCloseTo(1.0 / 31, within(1e-15));     // 1 / (10 * 3 + 1)
    }

    @Test
    void parsesTheNamesAndOptions() {
        assertThat(StalenessFunction.parse("constant")).isEqualTo(new StalenessFunction.Constant());
        assertThat(StalenessFunction.parse("polynomial:a=0.3")).isEqualTo(new StalenessFunction.Polynomial(0.3));
        assertThat(StalenessFunction.parse("hinge:a=2,b=3")).isEqualTo(new StalenessFunction.Hinge(2, 3));
        assertThat(StalenessFunction.parse("polynomial")).isEqualTo(new StalenessFunction.Polynomial(0.5));
        assertThatThrownBy(() -> StalenessFunction.parse("exponential")).hasMessageContaining("constant, polynomial");
        assertThatThrownBy(() -> new StalenessFunction.Polynomial(0).weight(1)).hasMessageContaining("a > 0");
        assertThatThrownBy(() -> new StalenessFunction.Constant().weight(-1)).hasMessageContaining("future");
    }
}
