package io.floe.core.wire;

import java.util.Objects;

/**
 * The names of floe's six topics. Defaults follow the design (floe.control, floe.updates,
 * floe.models, floe.reports, floe.deadletter, floe.clients); every deployment may rename them.
 * {@code clients} carries the trainers' heartbeats ({@code ClientHeartbeat}, keyed by model id),
 * from which the job learns which clients are available for selection.
 */
public record TopicNames(String control, String updates, String models, String reports, String deadLetter,
        String clients) implements java.io.Serializable {

    public TopicNames {
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(updates, "updates");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(reports, "reports");
        Objects.requireNonNull(deadLetter, "deadLetter");
        Objects.requireNonNull(clients, "clients");
    }

    public static TopicNames defaults() {
        return withPrefix("floe.");
    }

    /** Topic names {@code prefix + control|updates|models|reports|deadletter|clients}. */
    public static TopicNames withPrefix(String prefix) {
        return new TopicNames(prefix + "control", prefix + "updates", prefix + "models", prefix + "reports",
                prefix + "deadletter", prefix + "clients");
    }

    /** All six names, in the order control, updates, models, reports, dead letters, clients. */
    public java.util.List<String> all() {
        return java.util.List.of(control, updates, models, reports, deadLetter, clients);
    }
}
