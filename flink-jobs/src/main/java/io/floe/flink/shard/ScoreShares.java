package io.floe.flink.shard;

import io.floe.core.anomaly.MedianCosines;
import io.floe.core.chunk.DistanceShares;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.ChunkScoreShare;
import java.util.Arrays;
import java.util.List;

/**
 * A folder's answer to SCORE under a Krum rule (issue 13, item 2): its chunk's share of the round's
 * pairwise squared distances ({@link DistanceShares}) and of the cosines to the coordinate-wise
 * median ({@link MedianCosines}), over the members' kept chunks, as a {@code ChunkScoreShare} on the
 * job's chunk-scores topic, keyed by model id. It goes out in the job's exactly-once sink, so the
 * coordinator reads it (read_committed) once the checkpoint that wrote it completes: the one way a
 * Flink job without iterations can hear back from its folders. The coordinator adds every chunk's
 * share in chunk order, selects, and sends the CLOSE.
 */
final class ScoreShares {
    private ScoreShares() {
    }

    /** @param members the round's members, sorted by update id; {@code values} their kept chunks in that order */
    static OutboundRecord of(TopicNames topics, ChunkCommand score, String[] members, List<float[]> values) {
        float[][] chunks = values.toArray(float[][]::new);
        MedianCosines.Share cosines = MedianCosines.of(chunks);
        ChunkScoreShare share = ChunkScoreShare.newBuilder().setModelId(score.modelId).setVersion(score.version)
                .setIndex(score.index).setMembers(Arrays.asList(members))
                .setSquaredDistances(Arrays.stream(DistanceShares.of(chunks)).boxed().toList())
                .setMedianDots(Arrays.stream(cosines.dots()).boxed().toList())
                .setMedianSquares(cosines.medianSquares()).build();
        return OutboundRecord.keyed(topics.chunkScores(), score.modelId, WireCodec.CHUNK_SCORE_SHARE.encode(share));
    }
}
