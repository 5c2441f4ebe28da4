package io.floe.flink.io;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Wraps each Kafka record without interpreting it. Decoding happens in an operator, where a
 * failure becomes a dead letter; a deserializer that threw would fail the job instead. A value
 * larger than {@code maxRecordBytes} goes on only as its {@link ValueReference} (size, hash, first
 * bytes; {@link InboundRecord#byReference}), to be dead-lettered: no operator copies, keeps or
 * decodes it, so no record can run the job out of memory, however large the topic allows it.
 */
public class InboundDeserializer implements KafkaRecordDeserializationSchema<InboundRecord> {
    private final long maxRecordBytes;

    /** @param maxRecordBytes the largest value passed on whole */
    public InboundDeserializer(long maxRecordBytes) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be positive, was " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<InboundRecord> out) {
        if (r.value() != null && r.value().length > maxRecordBytes) {
            out.collect(InboundRecord.byReference(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
        } else {
            out.collect(new InboundRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
        }
    }

    @Override
    public TypeInformation<InboundRecord> getProducedType() {
        return TypeInformation.of(InboundRecord.class);
    }
}
