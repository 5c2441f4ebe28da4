package io.floe.flink.shard;

import io.floe.core.chunk.ChunkValues;
import io.floe.core.chunk.UpdateChunkView;
import io.floe.flink.io.InboundRecord;

/**
 * A {@link ChunkFolder}'s way to an update chunk's values: from the record as it lands, or read back
 * from Kafka by where it was ({@link ChunkRefetch}) when a folded update is dropped or clipped.
 */
final class FoldableValues implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final ChunkRefetch refetch;

    FoldableValues(ChunkRefetch refetch) {
        this.refetch = refetch;
    }

    /**
     * The chunk's values in its encoding (a dense chunk: a view of the record's bytes; a top-k one:
     * its k kept values), or null when they cannot be folded (malformed, wrong size, not finite or
     * out of range).
     */
    static ChunkValues of(InboundRecord origin, int expected) {
        try {
            UpdateChunkView chunk = UpdateChunkView.of(origin.value);
            ChunkValues values = ChunkValues.read(chunk.encoding(), chunk.data(), expected);
            return values.fits(expected) && values.problem() == null ? values : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A folded chunk read back from Kafka by its topic, partition and offset, to take it out of the sum again. */
    ChunkValues readBack(FoldedChunk f, ChunkCommand command, String why, int length) throws Exception {
        if (refetch == null) {
            throw new IllegalStateException("update " + command.updateId + " was " + why + " after chunk " + command.index
                    + " was folded, and this job has no ChunkRefetch to read it again");
        }
        ChunkValues values = of(new InboundRecord(f.topic, f.partition, f.offset, 0, null, refetch.fetch(f.topic, f.partition, f.offset)),
                length);
        if (values == null) {
            throw new IllegalStateException("chunk " + command.index + " of update " + command.updateId + " read again from "
                    + f.topic + "-" + f.partition + "@" + f.offset + " is not the chunk that was folded");
        }
        return values;
    }

    void close() {
        if (refetch != null) {
            refetch.close();
        }
    }
}
