package io.floe.flink.shard;

import io.floe.flink.io.InboundRecord;

/** An {@code UpdateChunk} routed to its folder: the key {@code modelId#index} and the record as it arrived. A Flink POJO. */
public class ChunkEvent {
    public String key;
    public String modelId;
    public String updateId;
    public int index;
    public InboundRecord origin;

    public ChunkEvent() {
    }

    public ChunkEvent(String key, String modelId, String updateId, int index, InboundRecord origin) {
        this.key = key;
        this.modelId = modelId;
        this.updateId = updateId;
        this.index = index;
        this.origin = origin;
    }
}
