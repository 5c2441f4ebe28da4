package io.floe.flink.aggregate;

import io.floe.core.wire.TopicNames;
import io.floe.flink.io.OutboundRecord;
import io.floe.flink.shard.ChunkCommand;
import io.floe.flink.shard.ManifestPart;
import java.util.ArrayList;
import io.floe.schema.DeadLetter;
import java.util.List;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** What a chunked model's coordinator sent since the last call, from a harness's outputs (and clears them); topics as defaults. */
final class ShardedOutputs {
    private ShardedOutputs() {
    }

    /** The commands to the chunk folders. */
    static List<ChunkCommand> commands(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h) {
        List<ChunkCommand> out = new ArrayList<>();
        var queue = h.getSideOutput(ModelAggregator.CHUNK_COMMANDS);
        if (queue != null) {
            queue.forEach(r -> out.add(r.getValue()));
            queue.clear();
        }
        return out;
    }

    /** The parts to the manifest writer. */
    static List<ManifestPart> parts(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h) {
        List<ManifestPart> out = new ArrayList<>();
        var queue = h.getSideOutput(ModelAggregator.MANIFEST_PARTS);
        if (queue != null) {
            queue.forEach(r -> out.add(r.getValue()));
            queue.clear();
        }
        return out;
    }

    /** The dead letters published (the harness's other records are drained with them). */
    static List<DeadLetter> deadLetters(AbstractStreamOperatorTestHarness<OutboundRecord> h) {
        return PublishedRecords.drain(h, TopicNames.defaults()).deadLetters();
    }

    /** Forgets everything sent so far. */
    static void drainAll(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h) {
        commands(h);
        parts(h);
        PublishedRecords.drain(h, TopicNames.defaults());
    }
}
