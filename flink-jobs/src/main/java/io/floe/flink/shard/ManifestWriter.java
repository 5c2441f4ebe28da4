package io.floe.flink.shard;

import io.floe.core.anomaly.MedianCosines;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.server.ChunkedCosineReport;
import io.floe.schema.AggregationReport;
import io.floe.schema.UpdateScore;
import java.util.HashMap;
import java.util.Map;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.OutboundRecord;
import io.floe.core.trust.JobTrust;
import io.floe.schema.GlobalModel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a chunked model's version once all of it is out, keyed by model id: the coordinator's
 * PENDING part (the GlobalModel without chunk hashes, and its report) and one DIGEST per chunk from
 * the folders, in any order. When a version has both, its manifest (the GlobalModel with every
 * chunk's SHA-256) goes to the models topic and then its report to the reports topic. A trainer
 * uses a version only when its manifest and all its chunks are there and match, so the manifest
 * arriving last or first makes no difference to what it trains on. Under a coordinate-wise rule each
 * digest also carries its chunk's share of the cosine scores; the report goes out with every
 * member's cosine to the coordinate-wise median ({@link MedianCosines}, {@link ChunkedCosineReport}).
 */
public class ManifestWriter extends KeyedProcessFunction<String, ManifestPart, OutboundRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestWriter.class);

    private final TopicNames topics;
    private final JobTrust trust;
    private transient MapState<Long, ManifestPart> pending;
    private transient MapState<String, byte[]> digests;
    private transient MapState<Long, Integer> digestCount;
    /** Digests that carry a chunk's share of the cosine scores (coordinate-wise rules), by version#index. */
    private transient MapState<String, ManifestPart> cosineShares;

    public ManifestWriter(TopicNames topics) {
        this(topics, JobTrust.none());
    }

    /** As above; each manifest is signed with the job's key in {@code trust} (when it has one). */
    public ManifestWriter(TopicNames topics, JobTrust trust) {
        this.trust = trust;
        this.topics = topics;
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("manifest-pending", TypeInformation.of(Long.class),
                TypeInformation.of(ManifestPart.class)));
        digests = getRuntimeContext().getMapState(new MapStateDescriptor<>("manifest-digests", TypeInformation.of(String.class),
                TypeInformation.of(byte[].class)));
        digestCount = getRuntimeContext().getMapState(new MapStateDescriptor<>("manifest-digest-count", Long.class, Integer.class));
        cosineShares = getRuntimeContext().getMapState(new MapStateDescriptor<>("manifest-cosine-shares", TypeInformation.of(String.class),
                TypeInformation.of(ManifestPart.class)));
    }

    @Override
    public void processElement(ManifestPart part, Context ctx, Collector<OutboundRecord> out) throws Exception {
        if (part.kind == ManifestPart.Kind.PENDING) {
            pending.put(part.version, part);
        } else {
            String key = part.version + "#" + part.index;
            if (!digests.contains(key)) {
                digests.put(key, part.sha256);
                if (part.medianDots != null) {
                    cosineShares.put(key, part);
                }
                Integer n = digestCount.get(part.version);
                digestCount.put(part.version, n == null ? 1 : n + 1);
            }
        }
        publishIfComplete(part.version, out);
    }

    private void publishIfComplete(long version, Collector<OutboundRecord> out) throws Exception {
        ManifestPart p = pending.get(version);
        Integer have = digestCount.get(version);
        if (p == null || have == null) {
            return;
        }
        GlobalModel model = WireCodec.GLOBAL_MODEL.decode(p.model);
        int count = ChunkLayout.of(model.getChunks()).count();
        if (have < count) {
            return;
        }
        List<ByteBuffer> hashes = new ArrayList<>(count);
        List<MedianCosines.Share> shares = new ArrayList<>(count);
        String[] members = null;
        for (int i = 0; i < count; i++) {
            String key = version + "#" + i;
            hashes.add(ByteBuffer.wrap(digests.get(key)));
            digests.remove(key);
            ManifestPart share = cosineShares.get(key);
            if (share != null) {
                shares.add(new MedianCosines.Share(share.medianDots, share.medianSquares));
                members = share.members;
                cosineShares.remove(key);
            }
        }
        model.getChunks().setSha256(hashes);
        out.collect(OutboundRecord.keyed(topics.models(), model.getModelId(), WireCodec.GLOBAL_MODEL.encode(trust.signed(model))));
        if (p.report != null) {
            byte[] report = p.report;
            if (shares.size() == count && members != null && members.length > 0) {
                report = WireCodec.AGGREGATION_REPORT.encode(withCosines(WireCodec.AGGREGATION_REPORT.decode(report), members, shares, p));
            }
            out.collect(OutboundRecord.keyed(topics.reports(), model.getModelId(), report));
        }
        pending.remove(version);
        digestCount.remove(version);
        LOG.info("model {}: published chunked version {} ({} chunks)", model.getModelId(), version, count);
    }

    /** The report with its members' cosines to the coordinate-wise median, from every chunk's share (in chunk order). */
    private static AggregationReport withCosines(AggregationReport report, String[] members, List<MedianCosines.Share> shares,
            ManifestPart pending) {
        Map<String, Double> norms = new HashMap<>();
        for (UpdateScore s : report.getScores()) {
            norms.put(s.getUpdateId(), s.getL2Norm());
        }
        double[] memberNorms = new double[members.length];
        for (int i = 0; i < members.length; i++) {
            Double n = norms.get(members[i]);
            memberNorms[i] = n == null ? 0 : n;
        }
        return ChunkedCosineReport.withCosines(report, members, MedianCosines.cosines(shares, memberNorms), pending.policy());
    }
}
