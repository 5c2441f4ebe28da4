package io.floe.flink.shard;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkValues;
import io.floe.core.chunk.ExactSum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A {@link ChunkFolder}'s members' chunks under a coordinate-wise rule (median, trimmed mean) or a
 * Krum rule (Krum, Multi-Krum, Bulyan: the selection comes after the chunks' distance shares), kept
 * whole until the round's close instead of folded: O(K) chunks per key, in RocksDB when the round
 * is larger than the heap. State {@code chunk-kept} (the dense float32 bytes by update id) and
 * {@code chunk-keep-for} (the admitted updates whose chunk is to be kept).
 */
final class KeptChunks {
    private final MapState<String, byte[]> kept;
    private final MapState<String, Boolean> keepFor;

    KeptChunks(RuntimeContext context) {
        kept = context.getMapState(new MapStateDescriptor<>("chunk-kept", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        keepFor = context.getMapState(new MapStateDescriptor<>("chunk-keep-for", Types.STRING, Types.BOOLEAN));
    }

    /** The update's chunk is to be kept when it lands, not folded. */
    void keepFor(String updateId) throws Exception {
        keepFor.put(updateId, Boolean.TRUE);
    }

    boolean keeps(String updateId) throws Exception {
        return keepFor.contains(updateId);
    }

    void keep(String updateId, float[] values) throws Exception {
        kept.put(updateId, ChunkData.encode(values, 0, values.length));
    }

    /** Forgets a dropped update's chunk; false when it was not kept (then it was folded). */
    boolean forget(String updateId) throws Exception {
        if (!kept.contains(updateId)) {
            return false;
        }
        kept.remove(updateId);
        return true;
    }

    /**
     * Keeps the chunks of {@code close}'s members that were folded, not kept: admitted under an
     * averaging rule before a spec switched the model to one that keeps (median, trimmed mean, the
     * Krum rules) in the same round. Each is read back from Kafka where it was folded, as a DROP reads
     * one back.
     */
    void keepFolded(ChunkCommand close, MapState<String, FoldedChunk> folded, FoldableValues foldable, int length) throws Exception {
        for (String member : close.members) {
            if (!kept.contains(member)) {
                ChunkValues values = foldable.readBack(folded.get(member), close, "closed under " + close.rule, length);
                keep(member, values.dense(length));
            }
        }
    }

    /** The chunks of {@code members}, in that order, as {@code length} floats each. */
    List<float[]> of(String[] members, int length) throws Exception {
        List<float[]> out = new ArrayList<>(members.length);
        for (String member : members) {
            out.add(ChunkData.decode(ByteBuffer.wrap(kept.get(member)), length));
        }
        return out;
    }

    /**
     * Folds the kept chunks among {@code members} into {@code sum} with their {@code weights}, as x / divisor (FedNova's, 1 when none):
     * an averaging close (Krum's or Multi-Krum's selection) over chunks that were kept, not folded.
     */
    void foldInto(ExactSum sum, String[] members, long[] weights, MapState<String, Double> divisors) throws Exception {
        for (int i = 0; i < members.length; i++) {
            byte[] values = kept.get(members[i]);
            if (values != null) {
                Double divisor = divisors.get(members[i]);
                sum.add(weights[i], ByteBuffer.wrap(values), divisor == null ? 1.0 : divisor);
            }
        }
    }

    void clear() {
        kept.clear();
        keepFor.clear();
    }
}
