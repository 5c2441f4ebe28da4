package io.floe.flink.shard;

import java.io.Serializable;

/**
 * Reads one record again from Kafka by where it was: how a {@link ChunkFolder} takes a dropped
 * update's chunk out of its sum without keeping any chunk after folding it (the sum stays O(d)).
 * Needed only when an update is dropped after some of its chunks were folded: one of its other
 * chunks was corrupt, or never came before the round's deadline.
 */
public interface ChunkRefetch extends Serializable {
    /** The value of the record at {@code offset} of {@code topic}-{@code partition}. */
    byte[] fetch(String topic, int partition, long offset) throws Exception;

    /** Releases what the fetcher holds (a consumer). */
    default void close() {
    }
}
