package io.floe.flink.aggregate.state;

import io.floe.core.wire.WireCodec;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.UpdateScore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A chunked Krum-family round between its SCORE and its CLOSE (issue 13): the round being selected
 * on ({@code krum-selecting}: the version it is based on, its members sorted by update id, the note
 * its close carries) and the chunks' shares received so far ({@code krum-shares}, by chunk index,
 * as their Avro bytes) and the norm scores taken at the SCORE ({@code krum-norm-scores}). O(chunks K^2) doubles, a few MB at 100M parameters and K = 32.
 */
public final class KrumSelectionState implements ModelState {
    /** The round being selected on. A Flink POJO. */
    public static class Selecting {
        public long version;
        public String[] members;
        public String note;

        public Selecting() {
        }

        public Selecting(long version, String[] members, String note) {
            this.version = version;
            this.members = members;
            this.note = note;
        }
    }

    private final ValueState<Selecting> selecting;
    private final MapState<Integer, byte[]> shares;
    private final MapState<String, byte[]> scores;

    public KrumSelectionState(RuntimeContext context) {
        selecting = context.getState(new ValueStateDescriptor<>("krum-selecting", TypeInformation.of(Selecting.class)));
        shares = context.getMapState(new MapStateDescriptor<>("krum-shares", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        scores = context.getMapState(new MapStateDescriptor<>("krum-norm-scores", Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /**
     * The round waits for its chunks' shares from now on; {@code normScores} are every update's
     * scores and decisions from the norms at the SCORE (the rejected ones' included), for the report.
     */
    public void start(long version, String[] members, String note, List<UpdateScore> normScores) throws Exception {
        shares.clear();
        scores.clear();
        for (UpdateScore s : normScores) {
            java.nio.ByteBuffer encoded = s.toByteBuffer();
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            scores.put(s.getUpdateId().toString(), bytes);
        }
        selecting.update(new Selecting(version, members, note));
    }

    /** The scores kept at the SCORE, by update id. */
    public List<UpdateScore> normScores() throws Exception {
        List<UpdateScore> out = new ArrayList<>();
        for (byte[] b : scores.values()) {
            out.add(UpdateScore.fromByteBuffer(java.nio.ByteBuffer.wrap(b)));
        }
        out.sort(java.util.Comparator.comparing(s -> s.getUpdateId().toString()));
        return out;
    }

    /** The round being selected on, or null when none is. */
    public Selecting selecting() throws Exception {
        return selecting.value();
    }

    /**
     * Keeps {@code share} when it belongs to the round being selected on (its version and exactly its
     * members) and its chunk has none yet; false otherwise (a stale or repeated share).
     */
    public boolean offer(ChunkScoreShare share) throws Exception {
        Selecting s = selecting.value();
        if (s == null || share.getVersion() != s.version || shares.contains(share.getIndex())
                || !Arrays.asList(s.members).equals(share.getMembers().stream().map(CharSequence::toString).toList())) {
            return false;
        }
        shares.put(share.getIndex(), WireCodec.CHUNK_SCORE_SHARE.encode(share));
        return true;
    }

    /** Every chunk's share in chunk order, once all {@code chunks} are in; null before. */
    public List<ChunkScoreShare> all(int chunks) throws Exception {
        List<ChunkScoreShare> out = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            byte[] b = shares.get(i);
            if (b == null) {
                return null;
            }
            out.add(WireCodec.CHUNK_SCORE_SHARE.decode(b));
        }
        return out;
    }

    public void clear() {
        selecting.clear();
        shares.clear();
        scores.clear();
    }

    /** A change of mode or algorithm drops the round's updates, and with them the selection pending on them. */
    @Override
    public void reconfigure(SpecChange change) throws Exception {
        if (change.dropsPendingUpdates()) {
            clear();
        }
    }
}
