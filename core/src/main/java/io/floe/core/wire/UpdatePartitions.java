package io.floe.core.wire;

/**
 * Which partition of the updates topic a chunked update's records go to: its header to partition
 * 0, its chunks round-robin by index over the other partitions. The job reads every partition;
 * this only decides what it reads first. A header shares its partition with no chunk, so the
 * source reads it long before the chunks queued behind it elsewhere, and the model's coordinator
 * admits the update while its chunks arrive: the chunk folders fold them as they come instead of
 * holding them in state until the admission (what made a d = 10M round's state 10 x the model and
 * filled a 2 GB heap; docs/performance.md, "Ingest"). Dense updates and topics with one partition
 * keep Kafka's key hashing (null: let the producer choose).
 */
public final class UpdatePartitions {
    private UpdatePartitions() {
    }

    /** The partition of a chunked update's header, or null for Kafka's default (one partition). */
    public static Integer header(int partitions) {
        return partitions >= 2 ? 0 : null;
    }

    /** The partition of chunk {@code index}, or null for Kafka's default (one partition). */
    public static Integer chunk(int index, int partitions) {
        return partitions >= 2 ? 1 + Math.floorMod(index, partitions - 1) : null;
    }
}
