package io.floe.bench.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The experiment's markdown: rows per rule and the note on cells outside a rule's guarantee. */
class RobustnessTableTest {
    private static RobustnessExperiment.Plan plan(List<RuleVariant> rules, List<Integer> byzantine) {
        return new RobustnessExperiment.Plan(Path.of("data"), 10, 15, 42, rules, List.of("sign-flip"), byzantine, "mlp(30,16,1)", 0.98);
    }

    private static List<RobustnessResult> results(List<RuleVariant> rules, List<Integer> byzantine) {
        List<RobustnessResult> out = new java.util.ArrayList<>();
        for (RuleVariant v : rules) {
            out.add(new RobustnessResult(v.label(), "none", 0, 0.99, 0.95, Double.NaN, Double.NaN, 0.1, 15, 1));
            for (int b : byzantine) {
                out.add(new RobustnessResult(v.label(), "sign-flip", b, 0.98 - b / 100.0, 0.9, Double.NaN, 0.5, 0.1, 15, 1));
            }
        }
        return out;
    }

    @Test
    void bulyansCellsBeyondItsFAreMarkedOutsideItsGuarantee() {
        List<RuleVariant> rules = List.of(RuleVariant.KRUM, RuleVariant.BULYAN);
        String md = RobustnessTable.markdown(results(rules, List.of(2, 3)), plan(rules, List.of(2, 3)));
        assertThat(md).contains("`bulyan` assumes f = 1 Byzantine client, the most that 10 clients per round allow"
                + " (Bulyan needs K >= 4f + 3): its cells with more than 1 attacker are outside its guarantee.");
        assertThat(md).as("Krum assumes f = 3, the most attackers of the plan").doesNotContain("`krum` assumes");
        assertThat(md).contains("| bulyan | 0.9900 (0.950) | 0.9600 (0.900) | 0.9500 (0.900) |");
    }

    @Test
    void noNoteWhenEveryRuleCoversTheAttackers() {
        List<RuleVariant> rules = List.of(RuleVariant.BULYAN);
        assertThat(RobustnessTable.markdown(results(rules, List.of(1)), plan(rules, List.of(1)))).doesNotContain("outside its guarantee");
    }
}
