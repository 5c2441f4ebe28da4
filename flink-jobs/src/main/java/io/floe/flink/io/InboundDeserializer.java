package io.floe.flink.io;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Wraps each Kafka record without interpreting it. Decoding happens in an operator, where a
 * failure becomes a dead letter; a deserializer that threw would fail the job instead.
 */
public class InboundDeserializer implements KafkaRecordDeserializationSchema<InboundRecord> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<InboundRecord> out) {
        out.collect(new InboundRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
    }

    @Override
    public TypeInformation<InboundRecord> getProducedType() {
        return TypeInformation.of(InboundRecord.class);
    }
}
