package io.floe.bench.robustness;

import io.floe.schema.AggregationConfig;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An aggregation configuration under test. Trimmed mean trims {@code beta = 0.3} per side and
 * Krum assumes {@code f = 3}, the most attackers the experiment uses, as Yin et al. (2018) and
 * Blanchard et al. (2017) require ({@code beta >= f / K}, {@code K > 2f + 2}).
 *
 * <p>Bulyan (El Mhamdi et al. 2018) needs {@code K >= 4f + 3}, which 10 clients per round do not
 * meet for f = 3; it assumes the largest f the round allows, at most 3: {@code f = floor((K - 3) / 4)},
 * 1 at K = 10 ({@link #byzantine(int)}). Runs with more attackers than its f are outside its guarantee.
 */
public enum RuleVariant {
    FEDAVG("fedavg", "fedavg", "none", "flag"),
    FEDAVG_CLIP("fedavg+clip", "fedavg", "median", "flag"),
    MEDIAN("median", "median", "none", "flag"),
    TRIMMED_MEAN("trimmed-mean", "trimmed-mean", "none", "flag"),
    KRUM("krum", "krum", "none", "flag"),
    MULTI_KRUM("multi-krum", "multi-krum", "none", "flag"),
    FEDAVG_REJECT("fedavg+reject", "fedavg", "none", "reject"),
    BULYAN("bulyan", "bulyan", "none", "flag");

    public static final int ASSUMED_BYZANTINE = 3;
    public static final double TRIM_FRACTION = 0.3;
    /** Every variant's label in declaration order, comma-separated: the experiment's default {@code --rules}. */
    public static final String ALL_LABELS = "fedavg,fedavg+clip,median,trimmed-mean,krum,multi-krum,fedavg+reject,bulyan";

    private final String label;
    private final String rule;
    private final String clipping;
    private final String policy;

    RuleVariant(String label, String rule, String clipping, String policy) {
        this.label = label;
        this.rule = rule;
        this.clipping = clipping;
        this.policy = policy;
    }

    public String label() {
        return label;
    }

    public static RuleVariant named(String label) {
        for (RuleVariant v : values()) {
            if (v.label.equals(label)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown rule variant '" + label + "'; known: "
                + Arrays.stream(values()).map(RuleVariant::label).collect(Collectors.joining(", ")));
    }

    /**
     * f, the number of Byzantine clients the rule assumes in rounds of {@code clients} updates:
     * {@link #ASSUMED_BYZANTINE} for every variant but Bulyan, whose f is the largest with
     * {@code clients >= 4f + 3} (El Mhamdi et al. 2018), capped at {@link #ASSUMED_BYZANTINE}.
     */
    public int byzantine(int clients) {
        return this == BULYAN ? Math.max(0, Math.min(ASSUMED_BYZANTINE, (clients - 3) / 4)) : ASSUMED_BYZANTINE;
    }

    /** The config for rounds of {@code clients} updates; quarantine is off so every round sees every client. */
    public AggregationConfig config(int clients) {
        return AggregationConfig.newBuilder()
                .setRule(rule)
                .setClientsPerRound(clients)
                .setTrimFraction(TRIM_FRACTION)
                .setByzantineClients(byzantine(clients))
                .setClipping(clipping)
                .setAnomalyPolicy(policy)
                .setQuarantineWindow(0)
                .build();
    }
}
