package io.floe.flink.io;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends each {@link OutboundRecord} to the topic it names, so one transactional sink serves all outputs. */
public class OutboundSerializer implements KafkaRecordSerializationSchema<OutboundRecord> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(OutboundRecord r, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(r.topic, null, timestamp, r.key, r.value);
    }
}
