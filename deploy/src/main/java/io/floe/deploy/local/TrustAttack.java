package io.floe.deploy.local;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The attacks on trust the demo can run ({@code --attack NAME --byzantine B}): the first B sites
 * are compromised. They still train honestly under their own ids, and besides:
 * <ul>
 *   <li>{@code impersonate}: each sends, every round, a boosted sign-flipped update claiming an
 *       honest site's id, signed with its own (enrolled) key;</li>
 *   <li>{@code sybil}: together they send 50 updates a round under made-up client ids;</li>
 *   <li>{@code replay}: they send every honest update they see on the updates topic again;</li>
 *   <li>{@code forged-model}: one writes a version 1000 ahead of the newest, its weights
 *       sign-flipped, straight to the models topic;</li>
 *   <li>{@code rogue-operator}: one writes a spec to the control topic that reconfigures the model
 *       (rule median, 2 clients per round, learning rate 0.5), signed with its own key.</li>
 * </ul>
 * Their records carry update ids starting {@link #UPDATE_ID_PREFIX}, so a report can count any that
 * entered a version.
 */
public enum TrustAttack {
    IMPERSONATE, SYBIL, REPLAY, FORGED_MODEL, ROGUE_OPERATOR;

    /** Update ids of the attackers' own records start so. */
    public static final String UPDATE_ID_PREFIX = "attack-";
    /** Made-up client ids per round, all attackers together ({@code sybil}). */
    public static final int SYBILS_PER_ROUND = 50;

    /** The attack named {@code name} (e.g. {@code forged-model}), empty when it is not an attack on trust. */
    public static Optional<TrustAttack> parse(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(a -> a.name().equals(n)).findFirst();
    }

    /** The command-line name, e.g. {@code forged-model}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether a run without authentication can show this attack without stalling (a forged version stops every trainer). */
    public boolean runsWithoutAuthentication() {
        return this != FORGED_MODEL;
    }
}
