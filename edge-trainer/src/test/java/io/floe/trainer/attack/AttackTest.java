package io.floe.trainer.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttackTest {

    @Test
    void namesEveryAttackOfTheSuite() {
        assertThat(Attack.names()).containsExactly(
                "sign-flip", "scale", "gaussian", "label-flip", "alie", "backdoor", "free-rider");
    }

    @Test
    void parsesNamesWithTheirDefaults() {
        assertThat(Attack.parse("sign-flip").option("factor")).isEqualTo(1.0);
        assertThat(Attack.parse("scale").option("boost")).isEqualTo(10.0);
        assertThat(Attack.parse("backdoor").option("target")).isEqualTo(1.0);
        assertThat(Attack.parse("backdoor").option("value")).isEqualTo(3.0);
        assertThat(Attack.parse("free-rider").option("noise")).isEqualTo(0.0);
        assertThat(Attack.parse(" Free_Rider ").kind()).isEqualTo(Attack.Kind.FREE_RIDER);
        assertThat(Attack.parse("gaussian").name()).isEqualTo("gaussian");
    }

    @Test
    void parsesOptionsAndPrintsASpecThatParsesBack() {
        Attack a = Attack.parse("backdoor:target=0, boost=20");

        assertThat(a.option("target")).isEqualTo(0.0);
        assertThat(a.option("boost")).isEqualTo(20.0);
        assertThat(a.isSet("boost")).isTrue();
        assertThat(a.isSet("value")).isFalse();
        assertThat(a).hasToString("backdoor:boost=20.0,target=0.0");
        assertThat(Attack.parse(a.toString())).isEqualTo(a);
        assertThat(Attack.parse("scale:")).isEqualTo(Attack.of(Attack.Kind.SCALE));
    }

    @Test
    void derivedOptionsMustBeCheckedBeforeReading() {
        Attack alie = Attack.parse("alie");

        assertThat(alie.isSet("z")).isFalse();
        assertThatThrownBy(() -> alie.option("z")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("derived from the federation");
        assertThat(Attack.parse("alie:z=1.5").option("z")).isEqualTo(1.5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sign-flip:boost=2", "scale:boost", "scale:boost=x", "scale:boost=-1", "scale:boost=0",
        "free-rider:noise=-0.1", "backdoor:target=0.5", "gaussian:sigma=1", "alie:z=NaN"})
    void rejectsBadOptions(String spec) {
        assertThatThrownBy(() -> Attack.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attack '" + spec + "'");
    }

    @Test
    void rejectsUnknownNamesListingTheKnownOnes() {
        assertThatThrownBy(() -> Attack.parse("flip"))
                .hasMessage("unknown attack 'flip'; expected one of"
                        + " [sign-flip, scale, gaussian, label-flip, alie, backdoor, free-rider]");
        assertThatThrownBy(() -> Attack.parse("scale").option("factor")).hasMessageContaining("options are [boost]");
    }
}
