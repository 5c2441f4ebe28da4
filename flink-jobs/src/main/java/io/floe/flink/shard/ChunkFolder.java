package io.floe.flink.shard;

import io.floe.core.aggregate.KrumSelection;
import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkValues;
import io.floe.core.chunk.CoordinateWiseChunk;
import io.floe.core.chunk.ExactSum;
import io.floe.core.chunk.NextSlice;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.TopicNames;
import io.floe.flink.aggregate.DeadLetters;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chunk of a chunked model, keyed by {@code modelId#index}: keeps the chunk's slice of the
 * current version and an {@link ExactSum} of the open round, folds each admitted update's chunk as
 * it lands (O(chunk) state, whatever the number of clients; under a coordinate-wise rule, median or
 * trimmed mean, it keeps the members' chunks instead, O(K chunk), and runs the rule on close with
 * {@link CoordinateWiseChunk}; under a Krum rule it keeps them too, answers SCORE with its share of
 * the distances ({@link ScoreShares}) and folds the selection the CLOSE names), takes a dropped update out again
 * ({@link ChunkRefetch}), and on CLOSE, once every member is folded, publishes its slice of the next
 * version as a {@code ModelChunk} and its SHA-256 to the {@link ManifestWriter} ({@link #DIGESTS}).
 *
 * <p>A chunk that arrives before its ADMIT waits ({@link WaitingChunks}: at most 2 minutes and 64
 * per key); past either it is dead-lettered ORPHAN_CHUNK, as are waiting chunks
 * of an update the coordinator refuses or drops (a chunk whose header never comes). A chunk
 * whose bytes or values cannot be folded is not folded; routing's receipt tells the coordinator,
 * which drops the whole update.
 */
public class ChunkFolder extends KeyedCoProcessFunction<String, ChunkEvent, ChunkCommand, OutboundRecord> {
    public static final OutputTag<ManifestPart> DIGESTS = new OutputTag<>("chunk-digests") {
    };
    /** How long (processing time) a chunk waits for its ADMIT before it is an orphan. */
    static final long WAITING_MS = WaitingChunks.WAITING_MS;
    private static final Logger LOG = LoggerFactory.getLogger(ChunkFolder.class);

    private final TopicNames topics;
    private final DeadLetters deadLetters;
    private final FoldableValues foldable;

    /**
     * The chunk's slice of the current version as little-endian float32 bytes: a byte array is
     * checkpointed in one bulk write, where a float[] is written value by value.
     */
    private transient ValueState<byte[]> slice;
    private transient ValueState<Long> sliceVersion;
    /** The slice's length, so that folding never reads the slice (with RocksDB, 1 MiB deserialized per chunk). */
    private transient ValueState<Integer> sliceLength;
    private transient ValueState<ExactSum> sum;
    private transient MapState<String, FoldedChunk> folded;
    private transient MapState<String, Long> admitted;
    private transient MapState<String, Double> divisors;
    private transient WaitingChunks waiting;
    private transient ValueState<ChunkCommand> closing;
    /** Coordinate-wise rules: the members' chunks, kept until the close (O(K) chunks per key). */
    private transient KeptChunks kept;
    /** An adaptive server optimizer's moments for this chunk (m/chunk, v/chunk), carried from round to round. */
    private transient MapState<String, float[]> moments;

    public ChunkFolder(TopicNames topics, ChunkRefetch refetch) {
        this.topics = topics;
        this.deadLetters = new DeadLetters(topics);
        this.foldable = new FoldableValues(refetch);
    }

    @Override
    public void open(OpenContext openContext) {
        slice = getRuntimeContext().getState(new ValueStateDescriptor<>("chunk-slice-bytes",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        sliceVersion = getRuntimeContext().getState(new ValueStateDescriptor<>("chunk-slice-version", Long.class));
        sliceLength = getRuntimeContext().getState(new ValueStateDescriptor<>("chunk-slice-length", Integer.class));
        sum = getRuntimeContext().getState(new ValueStateDescriptor<>("chunk-sum", ExactSumSerializer.INSTANCE));
        folded = getRuntimeContext().getMapState(new MapStateDescriptor<>("chunk-folded", TypeInformation.of(String.class),
                TypeInformation.of(FoldedChunk.class)));
        admitted = getRuntimeContext().getMapState(new MapStateDescriptor<>("chunk-admitted", String.class, Long.class));
        divisors = getRuntimeContext().getMapState(new MapStateDescriptor<>("chunk-divisors", String.class, Double.class));
        waiting = new WaitingChunks(getRuntimeContext());
        closing = getRuntimeContext().getState(new ValueStateDescriptor<>("chunk-closing", TypeInformation.of(ChunkCommand.class)));
        kept = new KeptChunks(getRuntimeContext());
        moments = getRuntimeContext().getMapState(new MapStateDescriptor<>("chunk-optimizer-moments", Types.STRING,
                PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void close() {
        foldable.close();
    }

    @Override
    public void processElement1(ChunkEvent chunk, Context ctx, Collector<OutboundRecord> out) throws Exception {
        if (folded.contains(chunk.updateId)) {
            return; // delivered again
        }
        Long weight = admitted.get(chunk.updateId);
        if (weight != null) {
            fold(chunk.updateId, weight, chunk.origin, ctx, out);
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        if (!waiting.hold(chunk.updateId, chunk.origin, now)) {
            out.collect(deadLetters.of(chunk.origin, Rejection.of(RejectionReason.ORPHAN_CHUNK, "chunk " + chunk.index + " of update "
                    + chunk.updateId + ": " + WaitingChunks.MAX_WAITING + " chunks of this key wait for their header's admission already"),
                    chunk.modelId, null, chunk.updateId));
            return;
        }
        ctx.timerService().registerProcessingTimeTimer(now + WAITING_MS);
    }

    /** Chunks that waited {@link #WAITING_MS} for their ADMIT are orphans: dead-lettered, not kept. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutboundRecord> out) throws Exception {
        for (String updateId : waiting.expired(timestamp)) {
            InboundRecord early = waiting.take(updateId);
            if (early != null) {
                out.collect(deadLetters.of(early, Rejection.of(RejectionReason.ORPHAN_CHUNK, "a chunk of update " + updateId
                        + " waited " + WAITING_MS + " ms for its header's admission, which did not come"), null, null, updateId));
            }
        }
    }

    @Override
    public void processElement2(ChunkCommand command, Context ctx, Collector<OutboundRecord> out) throws Exception {
        switch (command.kind) {
            case INIT -> {
                float[] values = command.data == null || command.data.length == 0 ? new float[command.length]
                        : ChunkData.decode(ByteBuffer.wrap(command.data), command.length);
                startVersion(values, command.version);
                publish(command, values, command.version, ctx, out, List.of());
            }
            case ADMIT -> {
                admitted.put(command.updateId, command.weight);
                if (command.divisor != 1.0) {
                    divisors.put(command.updateId, command.divisor);
                }
                if (CoordinateWiseChunk.handles(command.rule) || KrumSelection.handles(command.rule)) {
                    kept.keepFor(command.updateId);
                }
                InboundRecord early = waiting.take(command.updateId);
                if (early != null) {
                    fold(command.updateId, command.weight, early, ctx, out);
                }
            }
            case DROP -> drop(command, out);
            case RESCALE -> rescale(command);
            case SCORE, CLOSE -> {
                closing.update(command);
                closeIfComplete(ctx, out);
            }
            default -> throw new IllegalStateException("unknown command " + command.kind);
        }
    }

    private void fold(String updateId, long weight, InboundRecord origin, Context ctx, Collector<OutboundRecord> out) throws Exception {
        Integer length = sliceLength.value();
        ChunkValues values = FoldableValues.of(origin, length == null ? -1 : length);
        if (values == null) {
            return; // routing's receipt names the problem; the coordinator drops the update
        }
        if (kept.keeps(updateId)) {
            kept.keep(updateId, values.dense(length));
        } else {
            ExactSum s = sum.value();
            values.foldInto(s, weight, divisorOf(updateId));
            sum.update(s);
        }
        FoldedChunk f = new FoldedChunk(weight, origin.topic, origin.partition, origin.offset);
        f.divisor = divisorOf(updateId);
        folded.put(updateId, f);
        admitted.remove(updateId);
        closeIfComplete(ctx, out);
    }

    private void drop(ChunkCommand command, Collector<OutboundRecord> out) throws Exception {
        admitted.remove(command.updateId);
        InboundRecord early = waiting.take(command.updateId);
        if (early != null) {
            out.collect(deadLetters.of(early, Rejection.of(RejectionReason.ORPHAN_CHUNK, "chunk " + command.index + " of update "
                    + command.updateId + ", which the model's coordinator refused or dropped"), command.modelId, null, command.updateId));
        }
        FoldedChunk f = folded.get(command.updateId);
        if (f == null) {
            return;
        }
        if (kept.forget(command.updateId)) { // kept, not folded: nothing to take out of a sum
            folded.remove(command.updateId);
            return;
        }
        ChunkValues values = foldable.readBack(f, command, "dropped", sliceLength.value());
        ExactSum s = sum.value();
        values.foldInto(s, -f.weight, f.divisor);
        sum.update(s);
        folded.remove(command.updateId);
        LOG.info("chunk {}: took dropped update {} out of round {}", command.key, command.updateId, sliceVersion.value());
    }

    /**
     * Central DP's clipping: the update is to be folded as x / divisor. Not folded yet (its chunk has
     * not come): it will be. Folded: read back from Kafka, taken out as it was folded, added again.
     */
    private void rescale(ChunkCommand command) throws Exception {
        divisors.put(command.updateId, command.divisor);
        FoldedChunk f = folded.get(command.updateId);
        if (f == null) {
            return;
        }
        ChunkValues values = foldable.readBack(f, command, "clipped", sliceLength.value());
        ExactSum s = sum.value();
        values.foldInto(s, -f.weight, f.divisor);
        values.foldInto(s, f.weight, command.divisor);
        sum.update(s);
        f.divisor = command.divisor;
        folded.put(command.updateId, f);
    }

    private double divisorOf(String updateId) throws Exception {
        Double d = divisors.get(updateId);
        return d == null ? 1.0 : d;
    }

    /**
     * Once the pending command's members are all folded (or kept): on CLOSE, publishes the next
     * version's slice; on SCORE, sends the chunk's share of the distances and cosines and waits for
     * the CLOSE with the selection.
     */
    private void closeIfComplete(Context ctx, Collector<OutboundRecord> out) throws Exception {
        ChunkCommand close = closing.value();
        if (close == null) {
            return;
        }
        for (String member : close.members) {
            if (!folded.contains(member)) {
                return;
            }
        }
        int length = sliceLength.value();
        if (close.kind == ChunkCommand.Kind.SCORE || CoordinateWiseChunk.handles(close.rule)) {
            kept.keepFolded(close, folded, foldable, length); // members folded before a spec switched the rule
        }
        if (close.kind == ChunkCommand.Kind.SCORE) {
            out.collect(ScoreShares.of(topics, close, close.members, kept.of(close.members, length)));
            closing.clear();
            return;
        }
        if (!CoordinateWiseChunk.handles(close.rule)) { // an averaging close over kept chunks: Krum's or Multi-Krum's selection
            ExactSum s = sum.value();
            kept.foldInto(s, close.members, close.weights, divisors);
            sum.update(s);
        }
        float[] current = ChunkData.decode(ByteBuffer.wrap(slice.value()), length);
        // members sorted by update id
        List<float[]> members = CoordinateWiseChunk.handles(close.rule) ? kept.of(close.members, length) : List.of();
        Map<String, float[]> stored = new TreeMap<>();
        for (Map.Entry<String, float[]> e : moments.entries()) {
            stored.put(e.getKey(), e.getValue());
        }
        double[] noise = close.noiseStd > 0 ? NextSlice.gaussianNoise(close.noiseSeed, length, close.noiseStd) : null;
        NextSlice.Result next = NextSlice.of(current, close.rule, close.trimPerSide, members, sum.value(),
                close.members.length == 0 && noise == null ? 0 : close.totalWeight, close.scale, close.serverOptimizer, stored, noise);
        if (next.moments() != null) {
            moments.clear();
            moments.putAll(next.moments());
        }
        startVersion(next.values(), close.nextVersion);
        publish(close, next.values(), close.nextVersion, ctx, out, members);
    }

    private void startVersion(float[] values, long version) throws Exception {
        slice.update(ChunkData.encode(values, 0, values.length));
        sliceLength.update(values.length);
        sliceVersion.update(version);
        sum.update(new ExactSum(values.length));
        folded.clear();
        admitted.clear();
        closing.clear();
        kept.clear();
        divisors.clear();
    }

    /** @param members the members' kept chunks under a coordinate-wise rule (their cosine shares go with the digest), else none */
    private void publish(ChunkCommand command, float[] values, long version, Context ctx, Collector<OutboundRecord> out,
            List<float[]> members) {
        ctx.output(DIGESTS, PublishedSlice.publish(topics, command, values, version, members, out));
    }
}
