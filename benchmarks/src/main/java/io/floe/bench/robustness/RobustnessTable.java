package io.floe.bench.robustness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The experiment's results as markdown: final test AUC per rule and scenario, then backdoor success and detection. */
final class RobustnessTable {
    private RobustnessTable() {
    }

    static List<String> scenarios(List<RobustnessResult> results) {
        List<String> out = new ArrayList<>();
        for (RobustnessResult r : results) {
            if (!out.contains(r.scenario())) {
                out.add(r.scenario());
            }
        }
        return out;
    }

    static Map<String, Map<String, RobustnessResult>> byRule(List<RobustnessResult> results) {
        Map<String, Map<String, RobustnessResult>> m = new LinkedHashMap<>();
        for (RobustnessResult r : results) {
            m.computeIfAbsent(r.rule(), k -> new LinkedHashMap<>()).put(r.scenario(), r);
        }
        return m;
    }

    /**
     * A sentence for each variant that assumes fewer Byzantine clients than some run has (Bulyan at
     * K = 10 assumes f = 1): those cells are outside the rule's guarantee, which a reader of the
     * table has to know. Empty when every variant covers the largest attacker count.
     */
    static String guaranteeNotes(RobustnessExperiment.Plan plan) {
        int most = plan.byzantineCounts().stream().mapToInt(Integer::intValue).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (RuleVariant v : plan.rules()) {
            int f = v.byzantine(plan.hospitals());
            if (f < most) {
                String why = v == RuleVariant.BULYAN ? String.format(Locale.ROOT,
                        ", the most that %d clients per round allow (Bulyan needs K >= 4f + 3)", plan.hospitals()) : "";
                sb.append(String.format(Locale.ROOT, "`%s` assumes f = %d Byzantine client%s%s: its cells with more than %d attacker%s"
                        + " are outside its guarantee.%n%n", v.label(), f, f == 1 ? "" : "s", why, f, f == 1 ? "" : "s"));
            }
        }
        return sb.toString();
    }

    static String markdown(List<RobustnessResult> results, RobustnessExperiment.Plan plan) {
        List<String> scenarios = scenarios(results);
        Map<String, Map<String, RobustnessResult>> rows = byRule(results);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d hospitals, %s, %d rounds, seed %d; attackers are the first N hospitals.%n%n",
                plan.hospitals(), plan.architecture(), plan.rounds(), plan.seed()));
        sb.append(guaranteeNotes(plan));
        sb.append("Final test AUC (accuracy):\n\n| rule |");
        scenarios.forEach(s -> sb.append(' ').append(s).append(" |"));
        sb.append("\n|---|");
        scenarios.forEach(s -> sb.append("---:|"));
        sb.append('\n');
        rows.forEach((rule, cells) -> {
            sb.append("| ").append(rule).append(" |");
            for (String s : scenarios) {
                RobustnessResult r = cells.get(s);
                sb.append(r == null ? " |" : String.format(Locale.ROOT, " %.4f (%.3f) |", r.auc(), r.accuracy()));
            }
            sb.append('\n');
        });
        List<String> backdoor = scenarios.stream().filter(s -> s.startsWith("backdoor")).toList();
        if (!backdoor.isEmpty()) {
            sb.append("\nBackdoor success (share of triggered malignant test records read as benign):\n\n| rule |");
            backdoor.forEach(s -> sb.append(' ').append(s).append(" |"));
            sb.append("\n|---|");
            backdoor.forEach(s -> sb.append("---:|"));
            sb.append('\n');
            rows.forEach((rule, cells) -> {
                sb.append("| ").append(rule).append(" |");
                backdoor.forEach(s -> sb.append(cells.containsKey(s)
                        ? String.format(Locale.ROOT, " %.3f |", cells.get(s).backdoorSuccess()) : " |"));
                sb.append('\n');
            });
        }
        sb.append("\nAnomaly scores: share of attackers' updates flagged (honest updates flagged), all rounds:\n\n| rule |");
        List<String> attacked = scenarios.stream().filter(s -> !s.equals("clean")).toList();
        attacked.forEach(s -> sb.append(' ').append(s).append(" |"));
        sb.append("\n|---|");
        attacked.forEach(s -> sb.append("---:|"));
        sb.append('\n');
        rows.forEach((rule, cells) -> {
            sb.append("| ").append(rule).append(" |");
            attacked.forEach(s -> {
                RobustnessResult r = cells.get(s);
                sb.append(r == null ? " |" : String.format(Locale.ROOT, " %.0f%% (%.0f%%) |", 100 * r.attackerDetectionRate(),
                        100 * r.honestFlagRate()));
            });
            sb.append('\n');
        });
        return sb.toString();
    }
}
