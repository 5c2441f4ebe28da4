package io.floe.bench.robustness;

import io.floe.schema.AggregationConfig;

/**
 * An aggregation configuration under test. Trimmed mean trims {@code beta = 0.3} per side and
 * Krum assumes {@code f = 3}, the most attackers the experiment uses, as Yin et al. (2018) and
 * Blanchard et al. (2017) require ({@code beta >= f / K}, {@code K > 2f + 2}).
 */
public enum RuleVariant {
    FEDAVG("fedavg", "fedavg", "none", "flag"),
    FEDAVG_CLIP("fedavg+clip", "fedavg", "median", "flag"),
    MEDIAN("median", "median", "none", "flag"),
    TRIMMED_MEAN("trimmed-mean", "trimmed-mean", "none", "flag"),
    KRUM("krum", "krum", "none", "flag"),
    MULTI_KRUM("multi-krum", "multi-krum", "none", "flag"),
    FEDAVG_REJECT("fedavg+reject", "fedavg", "none", "reject");

    public static final int ASSUMED_BYZANTINE = 3;
    public static final double TRIM_FRACTION = 0.3;

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
        throw new IllegalArgumentException("unknown rule variant '" + label + "'");
    }

    /** The config for rounds of {@code clients} updates; quarantine is off so every round sees every client. */
    public AggregationConfig config(int clients) {
        return AggregationConfig.newBuilder()
                .setRule(rule)
                .setClientsPerRound(clients)
                .setTrimFraction(TRIM_FRACTION)
                .setByzantineClients(ASSUMED_BYZANTINE)
                .setClipping(clipping)
                .setAnomalyPolicy(policy)
                .setQuarantineWindow(0)
                .build();
    }
}
