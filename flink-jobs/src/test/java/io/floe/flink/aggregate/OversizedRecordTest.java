package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.PublishedRecords.bytes;
import static io.floe.flink.aggregate.TinyLinearModel.MODEL_ID;
import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.inbound;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundDeserializer;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.ValueReference;
import io.floe.schema.DeadLetter;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A record too large for the job never reaches a decoder and never travels whole in a dead letter:
 * over {@code --max-record-bytes} the source hands on only its reference; an update larger than
 * its model allows is refused before it is decoded; any dead letter over 1 MiB keeps its value by
 * reference (size, SHA-256, first bytes).
 */
class OversizedRecordTest {
    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    private static byte[] sha256(byte[] value) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(value);
    }

    /** A well-formed update of the tiny model whose one tensor is {@code floats} long: the wrong layout, and large. */
    private static byte[] hugeUpdate(int floats) {
        ModelWeights big = new ModelWeights(List.of(new Tensor("dense0.W", new int[] {floats}, new float[floats])));
        return WireCodec.MODEL_UPDATE.encode(update("mallory", 1, big).build());
    }

    @Test
    void theSourceHandsOnAValueOverTheLimitOnlyByReference() throws Exception {
        byte[] small = new byte[100];
        byte[] large = new byte[5000];
        Arrays.fill(large, (byte) 7);
        List<InboundRecord> out = new ArrayList<>();

        InboundDeserializer deserializer = new InboundDeserializer(4096);
        deserializer.deserialize(new ConsumerRecord<>(TOPICS.updates(), 0, 1L, null, small), new ListCollector<>(out));
        deserializer.deserialize(new ConsumerRecord<>(TOPICS.updates(), 0, 2L, null, large), new ListCollector<>(out));

        assertThat(out.get(0).valueDropped()).isFalse();
        assertThat(out.get(0).value).isSameAs(small);
        assertThat(out.get(1).valueDropped()).isTrue();
        assertThat(out.get(1).droppedValueBytes).isEqualTo(5000L);
        assertThat(out.get(1).value).hasSize(ValueReference.HEAD_BYTES).containsOnly((byte) 7);
        assertThat(out.get(1).valueSha256).isEqualTo(sha256(large));
        assertThat(out.get(1).offset).isEqualTo(2L);
    }

    @Test
    void routingDeadLettersAReferenceWithoutReadingIt() throws Exception {
        byte[] update = hugeUpdate(2000);
        InboundRecord in = InboundRecord.byReference(TOPICS.updates(), 3, 9L, T0, MODEL_ID.getBytes(), update);
        var harness = ProcessFunctionTestHarnesses.forProcessFunction(new RecordDecoder(TOPICS));

        harness.processElement(in, T0);

        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter letter = PublishedRecords.of(harness.getSideOutput(RecordDecoder.DEAD_LETTERS).stream()
                .map(StreamRecord::getValue).toList(), TOPICS).deadLetters().get(0);
        assertThat(letter.getReason()).isEqualTo("RECORD_TOO_LARGE");
        assertThat(letter.getPayloadBytes()).isEqualTo(update.length);
        assertThat(bytes(letter.getPayload())).isEqualTo(Arrays.copyOf(update, ValueReference.HEAD_BYTES));
        assertThat(bytes(letter.getPayloadSha256())).isEqualTo(sha256(update));
        assertThat(letter.getPartition()).isEqualTo(3);
        assertThat(letter.getOffset()).isEqualTo(9L);
        harness.close();
    }

    @Test
    void anUpdateLargerThanItsModelAllowsIsRefusedBeforeDecodingAndKeptByReference() throws Exception {
        var harness = harnesses.open(null);
        harness.processElement(specEvent(spec(2).build(), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        // 300,000 floats: 1.2 MB for a model of three parameters; over the 1 MiB a dead letter carries whole
        byte[] update = hugeUpdate(300_000);

        harness.processElement(new ModelEvent(MODEL_ID, ModelEvent.Kind.UPDATE, inbound(TOPICS.updates(), 1, update)), T0 + 1);
        harness.processElement(updateEvent(update("alice", 1, weights(1f, 1f, 1f)).build(), 2), T0 + 2);
        harness.processElement(updateEvent(update("bob", 1, weights(1f, 1f, 1f)).build(), 3), T0 + 3);

        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("RECORD_TOO_LARGE");
            assertThat(d.getDetail()).contains(String.valueOf(update.length), "not decoded");
            assertThat(d.getModelId()).isEqualTo(MODEL_ID);
            assertThat(d.getPayloadBytes()).isEqualTo(update.length);
            assertThat(bytes(d.getPayload())).hasSize(ValueReference.HEAD_BYTES);
            assertThat(bytes(d.getPayloadSha256())).isEqualTo(sha256(update));
        });
        assertThat(out.models()).as("the round goes on with alice and bob").extracting(m -> m.getVersion()).containsExactly(1L);
    }

    @Test
    void aDeadLetterOfAtMostOneMebibyteCarriesTheValueWhole() {
        byte[] value = new byte[DeadLetters.INLINE_PAYLOAD_BYTES];
        value[0] = 1;
        DeadLetters letters = new DeadLetters(TOPICS);

        DeadLetter whole = WireCodec.DEAD_LETTER.decode(letters.of(inbound(TOPICS.updates(), 1, value),
                Rejection.of(RejectionReason.UNDECODABLE, "test"), null, null, null).value);
        DeadLetter none = WireCodec.DEAD_LETTER.decode(letters.of(inbound(TOPICS.control(), 2, null),
                Rejection.of(RejectionReason.UNDECODABLE, "tombstone"), null, null, null).value);

        assertThat(bytes(whole.getPayload())).isEqualTo(value);
        assertThat(whole.getPayloadBytes()).isEqualTo(value.length);
        assertThat(whole.getPayloadSha256()).isNull();
        assertThat(none.getPayload()).isNull();
        assertThat(none.getPayloadBytes()).isEqualTo(-1L);
    }
}
