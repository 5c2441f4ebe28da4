package io.floe.flink.shard;

import io.floe.core.anomaly.MedianCosines;
import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.CoordinateWiseChunk;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.ModelChunk;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.flink.util.Collector;

/**
 * A folder's slice of a version going out: the {@code ModelChunk} on the models topic (key
 * {@code modelId#index}) and the SHA-256 of its data for the {@link ManifestWriter}, with the
 * chunk's share of the cosine scores under a coordinate-wise rule.
 */
final class PublishedSlice {
    private PublishedSlice() {
    }

    /**
     * Writes the chunk to {@code out} and returns its digest for the manifest writer; under median or
     * trimmed mean ({@code members} their kept chunks), with the chunk's share of the cosine scores.
     */
    static ManifestPart publish(TopicNames topics, ChunkCommand command, float[] values, long version, List<float[]> members,
            Collector<OutboundRecord> out) {
        MedianCosines.Share share = members.isEmpty() || !CoordinateWiseChunk.sharesCosines(command.rule) ? null
                : MedianCosines.of(members.toArray(new float[0][]));
        byte[] data = ChunkData.encode(values, 0, values.length);
        ModelChunk chunk = ModelChunk.newBuilder().setModelId(command.modelId).setVersion(version).setIndex(command.index)
                .setData(ByteBuffer.wrap(data)).build();
        out.collect(OutboundRecord.keyed(topics.models(), command.key, WireCodec.MODEL_CHUNK.encode(chunk)));
        byte[] sha256 = ChunkData.sha256(data);
        return share == null ? ManifestPart.digest(command.modelId, version, command.index, sha256)
                : ManifestPart.digest(command.modelId, version, command.index, sha256, command.members, share);
    }
}
