package io.floe.flink.aggregate;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkValues;
import io.floe.flink.shard.ChunkEvent;
import io.floe.flink.shard.ChunkReceipt;
import io.floe.core.chunk.UpdateChunkView;
import java.nio.ByteBuffer;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * First stage: routes each inbound record to its model by reading the model id and nothing else
 * ({@link WireCodec#modelIdOf}: tensors are skipped, not decoded; the keyed operator decodes the
 * record once). The record type follows from the topic (and, on the control topic, from the type
 * its single-object header names). Anything undecodable goes to the {@link #DEAD_LETTERS} side
 * output with reason UNDECODABLE (so is a newer schema version on the control topic, which
 * carries several record types; on the others it is read as the topic's type, {@link WireCodec}), a
 * record whose Kafka key is not its model id with reason KEY_MISMATCH, and a record the source found over the job's size limit with
 * reason RECORD_TOO_LARGE, by reference; nothing here can throw on input.
 */
public class RecordDecoder extends ProcessFunction<InboundRecord, ModelEvent> {
    public static final OutputTag<OutboundRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {
    };
    /** Chunks of chunked models' updates, to their folders. */
    public static final OutputTag<ChunkEvent> CHUNKS = new OutputTag<>("update-chunks") {
    };

    private final TopicNames topics;
    private final DeadLetters deadLetters;

    public RecordDecoder(TopicNames topics) {
        this.topics = topics;
        this.deadLetters = new DeadLetters(topics);
    }

    @Override
    public void processElement(InboundRecord in, Context ctx, Collector<ModelEvent> out) {
        if (in.valueDropped()) {
            ctx.output(DEAD_LETTERS, deadLetters.of(in, Rejection.of(RejectionReason.RECORD_TOO_LARGE, "record value of "
                    + in.droppedValueBytes + " bytes is over the job's --max-record-bytes; not read, kept by reference"),
                    null, null, null));
            return;
        }
        try {
            if (topics.control().equals(in.topic) && WireCodec.CLIENT_RELEASE.hasHeaderOf(in.value)) {
                route(new ModelEvent(WireCodec.CLIENT_RELEASE.modelIdOf(in.value), ModelEvent.Kind.RELEASE, in), ctx, out);
            } else if (topics.control().equals(in.topic) && WireCodec.CLIENT_ENROLMENT.hasHeaderOf(in.value)) {
                route(new ModelEvent(WireCodec.CLIENT_ENROLMENT.modelIdOf(in.value), ModelEvent.Kind.ENROLMENT, in), ctx, out);
            } else if (topics.control().equals(in.topic) && WireCodec.CLIENT_REVOCATION.hasHeaderOf(in.value)) {
                route(new ModelEvent(WireCodec.CLIENT_REVOCATION.modelIdOf(in.value), ModelEvent.Kind.REVOCATION, in), ctx, out);
            } else if (topics.control().equals(in.topic) && WireCodec.isNewerVersion(in.value)) {
                // two record types share this topic: a fingerprint neither knows could be either, so no guessing
                ctx.output(DEAD_LETTERS, deadLetters.of(in, Rejection.of(RejectionReason.UNDECODABLE, "a record on "
                        + in.topic + " with a schema fingerprint this job does not know (a newer ModelSpec, ClientRelease, ClientEnrolment or ClientRevocation?);"
                        + " upgrade the job to read it"), null, null, null));
            } else if (topics.control().equals(in.topic)) {
                route(new ModelEvent(WireCodec.MODEL_SPEC.modelIdOf(in.value), ModelEvent.Kind.SPEC, in), ctx, out);
            } else if (topics.updates().equals(in.topic) && WireCodec.UPDATE_CHUNK.hasHeaderOf(in.value)) {
                routeChunk(in, ctx, out);
            } else if (topics.updates().equals(in.topic)) {
                route(new ModelEvent(WireCodec.MODEL_UPDATE.modelIdOf(in.value), ModelEvent.Kind.UPDATE, in), ctx, out);
            } else if (topics.chunkScores().equals(in.topic)) {
                route(new ModelEvent(WireCodec.CHUNK_SCORE_SHARE.modelIdOf(in.value), ModelEvent.Kind.SCORE_SHARE, in), ctx, out);
            } else if (topics.clients().equals(in.topic)) {
                route(new ModelEvent(WireCodec.CLIENT_HEARTBEAT.modelIdOf(in.value), ModelEvent.Kind.HEARTBEAT, in), ctx, out);
            } else {
                ctx.output(DEAD_LETTERS, deadLetters.of(in,
                        Rejection.of(RejectionReason.UNDECODABLE, "record from unexpected topic " + in.topic), null, null, null));
            }
        } catch (MalformedRecordException e) {
            ctx.output(DEAD_LETTERS, deadLetters.of(in, Rejection.of(RejectionReason.UNDECODABLE, e.getMessage()), null, null, null));
        }
    }

    /**
     * A chunk of a chunked model's update: its bytes go to the chunk's folder (side output
     * {@link #CHUNKS}, key {@code modelId#index}), and a receipt (SHA-256, size, encoding, how many
     * values it spans, the sum of its squared values, whether they can be folded) to the model's coordinator. A chunk keyed otherwise is dead-lettered KEY_MISMATCH.
     */
    private void routeChunk(InboundRecord in, Context ctx, Collector<ModelEvent> out) {
        UpdateChunkView chunk = UpdateChunkView.of(in.value); // in place: the data is hashed and checked where it lies
        String key = ChunkData.key(chunk.modelId(), chunk.index());
        if (in.key == null || !Arrays.equals(key.getBytes(StandardCharsets.UTF_8), in.key)) {
            ctx.output(DEAD_LETTERS, deadLetters.of(in, Rejection.of(RejectionReason.KEY_MISMATCH, "chunk " + chunk.index()
                    + " of update " + chunk.updateId() + " with " + (in.key == null ? "no key" : "key '"
                    + new String(in.key, StandardCharsets.UTF_8) + "'") + ": chunks are keyed modelId#index ('" + key + "')"),
                    chunk.modelId(), null, chunk.updateId()));
            return;
        }
        ByteBuffer data = chunk.data();
        ModelEvent receipt = new ModelEvent(chunk.modelId(), ModelEvent.Kind.CHUNK_RECEIPT,
                new InboundRecord(in.topic, in.partition, in.offset, in.timestamp, in.key, null));
        receipt.receipt = new ChunkReceipt(chunk.updateId(), chunk.index(), ChunkData.sha256(data), data.remaining(), null);
        try {
            ChunkValues values = ChunkValues.read(chunk.encoding(), data, -1);
            receipt.receipt.problem = values.problem();
            receipt.receipt.encoding = chunk.encoding().name();
            receipt.receipt.valueSpan = values.span();
            receipt.receipt.squaredNorm = values.squaredNorm();
        } catch (IllegalArgumentException e) {
            receipt.receipt.problem = chunk.encoding() + " data that does not decode: " + e.getMessage();
        }
        ctx.output(CHUNKS, new ChunkEvent(key, chunk.modelId(), chunk.updateId(), chunk.index(), in));
        out.collect(receipt);
    }

    /** Hands on {@code event} when its record is keyed by its model id; dead-letters it KEY_MISMATCH otherwise. */
    private void route(ModelEvent event, Context ctx, Collector<ModelEvent> out) {
        byte[] expected = event.modelId == null ? null : event.modelId.getBytes(StandardCharsets.UTF_8);
        if (expected != null && Arrays.equals(expected, event.origin.key)) {
            out.collect(event);
            return;
        }
        String key = event.origin.key == null ? "no key" : "key '" + new String(event.origin.key, StandardCharsets.UTF_8) + "'";
        ctx.output(DEAD_LETTERS, deadLetters.of(event.origin, Rejection.of(RejectionReason.KEY_MISMATCH, "a record of model '"
                + event.modelId + "' with " + key + ": floe records are keyed by their model id"), event.modelId, null, null));
    }
}
