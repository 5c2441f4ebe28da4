package io.floe.flink.shard;

/**
 * What routing learned of one {@code UpdateChunk} without keeping its bytes: which update and
 * chunk it is, the SHA-256, size and encoding of its data, how many values it spans, and why its
 * values cannot be folded (null when they can). The coordinator compares it with the update's header. A Flink POJO.
 */
public class ChunkReceipt {
    public String updateId;
    public int index;
    public byte[] sha256;
    public int dataBytes;
    /** Null, or why the chunk's values cannot be folded (not finite, out of range, not decodable). */
    public String problem;
    /** The chunk's TensorEncoding (DENSE_F32, FP16, TOPK_F32), by name. */
    public String encoding = "DENSE_F32";
    /** Values the data covers (ChunkValues.span): all of a dense or fp16 chunk, up to the last index of a top-k one. */
    public int valueSpan = -1;
    /** The sum of the chunk's squared values (ChunkValues.squaredNorm): its share of the update's squared L2 norm. */
    public double squaredNorm;

    public ChunkReceipt() {
    }

    public ChunkReceipt(String updateId, int index, byte[] sha256, int dataBytes, String problem) {
        this.updateId = updateId;
        this.index = index;
        this.sha256 = sha256;
        this.dataBytes = dataBytes;
        this.problem = problem;
        this.valueSpan = dataBytes % 4 == 0 ? dataBytes / 4 : -1; // a DENSE_F32 chunk's; routing sets it for every encoding
    }
}
