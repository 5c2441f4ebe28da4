package io.floe.flink.aggregate;

import io.floe.flink.io.OutboundRecord;
import io.floe.flink.shard.ChunkCommand;
import io.floe.flink.shard.ManifestPart;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** What a chunked model's coordinator sent since the last call, from a harness's side outputs (and clears them). */
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
}
