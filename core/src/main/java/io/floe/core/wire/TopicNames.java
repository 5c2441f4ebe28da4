package io.floe.core.wire;

import java.util.Objects;

/**
 * The names of floe's five topics. Defaults follow the design (floe.control, floe.updates,
 * floe.models, floe.reports, floe.deadletter); every deployment may rename them.
 */
public record TopicNames(String control, String updates, String models, String reports, String deadLetter)
        implements java.io.Serializable {

    public TopicNames {
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(updates, "updates");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(reports, "reports");
        Objects.requireNonNull(deadLetter, "deadLetter");
    }

    public static TopicNames defaults() {
        return withPrefix("floe.");
    }

    /** Topic names {@code prefix + control|updates|models|reports|deadletter}. */
    public static TopicNames withPrefix(String prefix) {
        return new TopicNames(prefix + "control", prefix + "updates", prefix + "models", prefix + "reports",
                prefix + "deadletter");
    }

    /** All five names, in the order control, updates, models, reports, dead letters. */
    public java.util.List<String> all() {
        return java.util.List.of(control, updates, models, reports, deadLetter);
    }
}
