package io.floe.flink.aggregate;

import io.floe.core.validate.Rejection;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.DeadLetter;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds the dead-letter record for a rejected inbound record: raw bytes kept, reason stated. */
final class DeadLetters implements Serializable {
    private final String topic;

    DeadLetters(TopicNames topics) {
        this.topic = topics.deadLetter();
    }

    OutboundRecord of(InboundRecord in, Rejection rejection, String modelId, String clientId, String updateId) {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(in.topic == null ? "" : in.topic)
                .setPartition(in.partition)
                .setOffset(in.offset)
                .setKey(in.key == null ? null : ByteBuffer.wrap(in.key))
                .setPayload(in.value == null ? null : ByteBuffer.wrap(in.value))
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
