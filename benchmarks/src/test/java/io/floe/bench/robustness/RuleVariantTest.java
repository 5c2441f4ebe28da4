package io.floe.bench.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.aggregate.AggregationRule;
import io.floe.core.aggregate.Bulyan;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.settings.SpecValidator;
import io.floe.core.spec.Architecture;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ModelSpec;
import io.floe.trainer.daemon.ModelRegistration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule variants of bench robustness: the specs the experiment sends for the hospitals scenario (10 clients per round). */
class RuleVariantTest {
    private static final int HOSPITALS = 10;

    private static ModelSpec spec(RuleVariant v, int clients) {
        return ModelRegistration.spec("robust-test-" + v.label(), Architecture.parse("mlp(30,16,1)"), 42, v.config(clients),
                ModelRegistration.training(0.1f, 2, 16));
    }

    @Test
    void theJobAcceptsEveryVariantsSpecForTenClients() {
        for (RuleVariant v : RuleVariant.values()) {
            assertThat(SpecValidator.validate(spec(v, HOSPITALS))).as(v.label()).isInstanceOf(SpecValidator.Result.Valid.class);
        }
    }

    @Test
    void bulyanAssumesOneByzantineClientInRoundsOfTen() {
        AggregationConfig config = RuleVariant.BULYAN.config(HOSPITALS);
        assertThat(config.getRule()).isEqualTo("bulyan");
        assertThat(config.getByzantineClients()).isEqualTo(1);
        AggregationRule rule = AggregationSettings.from(config).robustness().rule();
        assertThat(rule).isInstanceOf(Bulyan.class);
        assertThat(((Bulyan) rule).byzantine()).isEqualTo(1);
    }

    @Test
    void bulyansFIsTheLargestTheRoundAllowsUpToTheExperimentsThree() {
        for (int k = 3; k <= 40; k++) {
            int f = RuleVariant.BULYAN.byzantine(k);
            int clients = k;
            assertThat(f).as("K = %d", k).isBetween(0, RuleVariant.ASSUMED_BYZANTINE);
            Bulyan.requireEnoughUpdates(k, f);
            if (f < RuleVariant.ASSUMED_BYZANTINE) {
                assertThatThrownBy(() -> Bulyan.requireEnoughUpdates(clients, f + 1)).as("K = %d, f + 1", k)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
        assertThat(RuleVariant.BULYAN.byzantine(15)).isEqualTo(3);
    }

    @Test
    void theOtherVariantsKeepTheirConfig() {
        List<String[]> expected = List.of(
                new String[] {"fedavg", "fedavg", "none", "flag"},
                new String[] {"fedavg+clip", "fedavg", "median", "flag"},
                new String[] {"median", "median", "none", "flag"},
                new String[] {"trimmed-mean", "trimmed-mean", "none", "flag"},
                new String[] {"krum", "krum", "none", "flag"},
                new String[] {"multi-krum", "multi-krum", "none", "flag"},
                new String[] {"fedavg+reject", "fedavg", "none", "reject"});
        for (String[] e : expected) {
            AggregationConfig c = RuleVariant.named(e[0]).config(HOSPITALS);
            assertThat(new String[] {e[0], c.getRule(), c.getClipping(), c.getAnomalyPolicy()}).as(e[0]).containsExactly(e);
            assertThat(c.getByzantineClients()).as(e[0]).isEqualTo(3);
            assertThat(c.getTrimFraction()).as(e[0]).isEqualTo(0.3);
            assertThat(c.getClientsPerRound()).isEqualTo(HOSPITALS);
            assertThat(c.getQuarantineWindow()).as("quarantine off").isZero();
        }
    }

    @Test
    void theDefaultRuleListIsEveryVariantInOrder() {
        assertThat(Arrays.stream(RuleVariant.ALL_LABELS.split(",")).map(RuleVariant::named).toList())
                .containsExactly(RuleVariant.values());
        assertThatThrownBy(() -> RuleVariant.named("bulyan:f=1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bulyan");
    }
}
