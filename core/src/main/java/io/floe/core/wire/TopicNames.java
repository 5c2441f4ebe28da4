package io.floe.core.wire;

import java.util.Objects;

/**
 * The names of floe's seven topics. Defaults follow the design (floe.control, floe.updates,
 * floe.models, floe.reports, floe.deadletter, floe.clients, floe.chunk-scores); every deployment
 * may rename them. {@code clients} carries the trainers' heartbeats ({@code ClientHeartbeat}, keyed
 * by model id), from which the job learns which clients are available for selection.
 * {@code chunkScores} is the job's own: its chunk folders write each chunk's share of a chunked
 * Krum-family round's distances there ({@code ChunkScoreShare}) and the model's coordinator reads
 * them back, the one way a Flink job without iterations can hear back from downstream (issue 13).
 */
public record TopicNames(String control, String updates, String models, String reports, String deadLetter,
        String clients, String chunkScores) implements java.io.Serializable {

    public TopicNames {
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(updates, "updates");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(reports, "reports");
        Objects.requireNonNull(deadLetter, "deadLetter");
        Objects.requireNonNull(clients, "clients");
        Objects.requireNonNull(chunkScores, "chunkScores");
    }

    public static TopicNames defaults() {
        return withPrefix("floe.");
    }

    /** Topic names {@code prefix + control|updates|models|reports|deadletter|clients|chunk-scores}. */
    public static TopicNames withPrefix(String prefix) {
        return new TopicNames(prefix + "control", prefix + "updates", prefix + "models", prefix + "reports",
                prefix + "deadletter", prefix + "clients", prefix + "chunk-scores");
    }

    /** All seven names, in the order control, updates, models, reports, dead letters, clients, chunk scores. */
    public java.util.List<String> all() {
        return java.util.List.of(control, updates, models, reports, deadLetter, clients, chunkScores);
    }
}
