package io.floe.flink.aggregate.state;

import io.floe.flink.shard.ChunkReceipt;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Chunked models: what the coordinator knows of each update's chunks. Receipts that come before
 * their header wait here ({@code chunk-receipts}, key {@code updateId#index}); for each admitted
 * update of the open round, its client ({@code chunk-members}), how many of its chunks matched its
 * manifest so far ({@code chunk-verified}), their record bytes ({@code chunk-bytes}, for the
 * report's uplink) and each verified chunk's sum of squared values ({@code chunk-norms}, key
 * {@code updateId#index}: the update's squared norm, added in chunk order at the close). An update
 * is complete when every chunk is verified.
 */
public final class ChunkReceipts implements ModelState {
    /** Receipts held for headers that have not come; more are not kept (their chunks are orphans). */
    public static final int MAX_EARLY = 100_000;

    private final MapState<String, ChunkReceipt> early;
    private final MapState<String, String> members;
    private final MapState<String, Integer> verified;
    private final MapState<String, Long> bytes;
    private final MapState<String, Boolean> seen;
    private final MapState<String, Double> norms;
    private final org.apache.flink.api.common.state.ValueState<Integer> earlyCount;

    public ChunkReceipts(RuntimeContext context) {
        early = context.getMapState(new MapStateDescriptor<>("chunk-receipts", Types.STRING, TypeInformation.of(ChunkReceipt.class)));
        members = context.getMapState(new MapStateDescriptor<>("chunk-members", Types.STRING, Types.STRING));
        verified = context.getMapState(new MapStateDescriptor<>("chunk-verified", Types.STRING, Types.INT));
        bytes = context.getMapState(new MapStateDescriptor<>("chunk-bytes", Types.STRING, Types.LONG));
        seen = context.getMapState(new MapStateDescriptor<>("chunk-seen", Types.STRING, Types.BOOLEAN));
        norms = context.getMapState(new MapStateDescriptor<>("chunk-norms", Types.STRING, Types.DOUBLE));
        earlyCount = context.getState(new org.apache.flink.api.common.state.ValueStateDescriptor<>("chunk-receipts-count", Types.INT));
    }

    /** Keeps a receipt whose header has not been admitted; false when too many wait already. */
    public boolean holdEarly(ChunkReceipt receipt) throws Exception {
        int held = earlyCount.value() == null ? 0 : earlyCount.value();
        if (held >= MAX_EARLY) {
            return false;
        }
        early.put(receipt.updateId + "#" + receipt.index, receipt);
        earlyCount.update(held + 1);
        return true;
    }

    /** The receipts of {@code updateId} that came before its header, removed from here. */
    public List<ChunkReceipt> takeEarly(String updateId, int chunkCount) throws Exception {
        List<ChunkReceipt> out = new ArrayList<>();
        for (int i = 0; i < chunkCount; i++) {
            String key = updateId + "#" + i;
            ChunkReceipt r = early.get(key);
            if (r != null) {
                out.add(r);
                early.remove(key);
                earlyCount.update(earlyCount.value() - 1);
            }
        }
        return out;
    }

    public void admit(String updateId, String clientId, long headerBytes) throws Exception {
        members.put(updateId, clientId);
        verified.put(updateId, 0);
        bytes.put(updateId, headerBytes);
    }

    /** The client of an admitted update of the open round, or null. */
    public String clientOf(String updateId) throws Exception {
        return members.get(updateId);
    }

    /** Whether chunk {@code index} of {@code updateId} was verified already (a chunk sent twice counts once). */
    public boolean seen(String updateId, int index) throws Exception {
        return seen.contains(updateId + "#" + index);
    }

    /**
     * Counts chunk {@code index} of {@code updateId} (of {@code recordBytes}, whose values' squares
     * sum to {@code squaredNorm}) as verified; returns how many are.
     */
    public int verified(String updateId, int index, long recordBytes, double squaredNorm) throws Exception {
        seen.put(updateId + "#" + index, Boolean.TRUE);
        norms.put(updateId + "#" + index, squaredNorm);
        int n = verified.get(updateId) + 1;
        verified.put(updateId, n);
        bytes.put(updateId, bytes.get(updateId) + recordBytes);
        return n;
    }

    public int verifiedCount(String updateId) throws Exception {
        Integer n = verified.get(updateId);
        return n == null ? 0 : n;
    }

    /** The squared L2 norm of a complete update: its chunks' shares added in chunk order (the same bits at any parallelism). */
    public double squaredNormOf(String updateId, int chunkCount) throws Exception {
        double sum = 0;
        for (int i = 0; i < chunkCount; i++) {
            Double part = norms.get(updateId + "#" + i);
            sum += part == null ? 0 : part;
        }
        return sum;
    }

    /** Header plus chunk record bytes received for {@code updateId}. */
    public long bytesOf(String updateId) throws Exception {
        Long b = bytes.get(updateId);
        return b == null ? 0 : b;
    }

    /** The admitted updates of the open round by update id, with their clients. */
    public Iterable<java.util.Map.Entry<String, String>> members() throws Exception {
        return members.entries();
    }

    public void forget(String updateId, int chunkCount) throws Exception {
        for (int i = 0; i < chunkCount; i++) {
            seen.remove(updateId + "#" + i);
            norms.remove(updateId + "#" + i);
        }
        members.remove(updateId);
        verified.remove(updateId);
        bytes.remove(updateId);
    }

    /** The round closed: its members are done (early receipts stay: they belong to later headers). */
    public void clearRound() {
        seen.clear();
        norms.clear();
        members.clear();
        verified.clear();
        bytes.clear();
    }

    @Override
    public void reconfigure(SpecChange change) {
        if (change.dropsPendingUpdates()) {
            clearRound();
        }
    }
}
