package io.floe.flink.aggregate;

import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * What an operator under test published since the last drain, decoded by the topic each record
 * names. Draining clears the harness output, so a test can assert on one step at a time.
 */
final class PublishedRecords {
    private final TopicNames topics;
    private final List<OutboundRecord> records;

    private PublishedRecords(TopicNames topics, List<OutboundRecord> records) {
        this.topics = topics;
        this.records = List.copyOf(records);
    }

    /** Takes the main output of {@code harness} (records and nothing else) and clears it. */
    static PublishedRecords drain(AbstractStreamOperatorTestHarness<OutboundRecord> harness, TopicNames topics) {
        List<OutboundRecord> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add((OutboundRecord) r.getValue());
            }
        }
        harness.getOutput().clear();
        return new PublishedRecords(topics, out);
    }

    static PublishedRecords of(List<OutboundRecord> records, TopicNames topics) {
        return new PublishedRecords(topics, records);
    }

    List<OutboundRecord> all() {
        return records;
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    List<OutboundRecord> on(String topic) {
        return records.stream().filter(r -> topic.equals(r.topic)).toList();
    }

    List<GlobalModel> models() {
        return decode(topics.models(), WireCodec.GLOBAL_MODEL::decode);
    }

    List<AggregationReport> reports() {
        return decode(topics.reports(), WireCodec.AGGREGATION_REPORT::decode);
    }

    List<DeadLetter> deadLetters() {
        return decode(topics.deadLetter(), WireCodec.DEAD_LETTER::decode);
    }

    /** The bytes of an Avro {@code bytes} field, e.g. a dead letter's payload. */
    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }

    private <T> List<T> decode(String topic, Function<byte[], T> decoder) {
        return on(topic).stream().map(r -> decoder.apply(r.value)).toList();
    }
}
