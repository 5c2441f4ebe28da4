package io.floe.core.async;

import java.util.Locale;

/**
 * How a model's server turns updates into versions.
 * <ul>
 *   <li>{@link #SYNC}: synchronous rounds; a version aggregates {@code clientsPerRound} updates
 *       trained from the previous one (McMahan et al. 2017), closing early at a deadline.</li>
 *   <li>{@link #FEDASYNC}: every accepted update makes a version, mixed in with weight
 *       {@code alpha * s(tau)} (Xie, Koyejo, Gupta, "Asynchronous Federated Optimization", 2019).</li>
 *   <li>{@link #FEDBUFF}: accepted updates are buffered; every {@code bufferSize} of them make a
 *       version (Nguyen et al., "Federated Learning with Buffered Asynchronous Aggregation",
 *       AISTATS 2022).</li>
 * </ul>
 */
public enum AsyncMode {
    SYNC, FEDASYNC, FEDBUFF;

    /** The name used in configs and reports: {@code sync}, {@code fedasync}, {@code fedbuff}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sync}, {@code fedasync} or {@code fedbuff} (also {@code async-fedasync}, {@code async-fedbuff}). */
    public static AsyncMode parse(String name) {
        String s = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("async-")) {
            s = s.substring("async-".length());
        }
        return switch (s) {
            case "sync" -> SYNC;
            case "fedasync" -> FEDASYNC;
            case "fedbuff" -> FEDBUFF;
            default -> throw new IllegalArgumentException("unknown mode '" + name + "'; use sync, fedasync or fedbuff");
        };
    }
}
