package io.floe.flink.aggregate;

import io.floe.core.validate.Rejection;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.flink.io.ValueReference;
import io.floe.schema.DeadLetter;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Builds the dead-letter record for a rejected inbound record: reason stated, raw bytes kept, up
 * to {@link #INLINE_PAYLOAD_BYTES}. A larger value (or one the source already replaced by its
 * reference) is kept by reference: its size, SHA-256 and first bytes ({@link ValueReference}); the
 * record stays at its topic, partition and offset. Copying a value of tens of MiB into a dead letter
 * would make a record larger than the sink may write, and fail the job on input.
 */
public final class DeadLetters implements Serializable {
    /** The largest value a dead letter carries whole: 1 MiB, Kafka's default record size. */
    static final int INLINE_PAYLOAD_BYTES = 1024 * 1024;

    private final String topic;

    public DeadLetters(TopicNames topics) {
        this.topic = topics.deadLetter();
    }

    public OutboundRecord of(InboundRecord in, Rejection rejection, String modelId, String clientId, String updateId) {
        byte[] payload = in.value;
        long payloadBytes = in.value == null ? -1 : in.value.length;
        byte[] sha256 = null;
        if (in.valueDropped()) {
            payloadBytes = in.droppedValueBytes;
            sha256 = in.valueSha256;
        } else if (in.value != null && in.value.length > INLINE_PAYLOAD_BYTES) {
            ValueReference ref = ValueReference.of(in.value);
            payload = ref.head();
            sha256 = ref.sha256();
        }
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(in.topic == null ? "" : in.topic)
                .setPartition(in.partition)
                .setOffset(in.offset)
                .setKey(in.key == null ? null : ByteBuffer.wrap(in.key))
                .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
                .setPayloadBytes(payloadBytes)
                .setPayloadSha256(sha256 == null ? null : ByteBuffer.wrap(sha256))
                .setReason(rejection.reason().name())
                .setDetail(rejection.detail())
                .setModelId(modelId)
                .setClientId(clientId)
                .setUpdateId(updateId)
                .setRejectedAt(Instant.ofEpochMilli(in.timestamp > 0 ? in.timestamp : System.currentTimeMillis()))
                .build();
        return OutboundRecord.keyed(topic, modelId, WireCodec.DEAD_LETTER.encode(letter));
    }
}
