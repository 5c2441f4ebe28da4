package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.PublishedRecords.bytes;
import static io.floe.flink.aggregate.TinyLinearModel.MODEL_ID;
import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.inbound;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The first stage: decodable records become events for their model, everything else a dead letter. */
class RecordDecoderTest {

    private OneInputStreamOperatorTestHarness<InboundRecord, ModelEvent> harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new RecordDecoder(TOPICS));
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    static Stream<Arguments> undecodable() {
        byte[] spec = WireCodec.MODEL_SPEC.encode(spec(3).build());
        byte[] update = WireCodec.MODEL_UPDATE.encode(update("alice", 1, weights(0f, 0f, 0f)).build());
        return Stream.of(
                Arguments.of("garbage bytes", inbound(TOPICS.updates(), 7, "not avro".getBytes(StandardCharsets.UTF_8))),
                Arguments.of("empty value", inbound(TOPICS.control(), 7, new byte[0])),
                Arguments.of("tombstone", inbound(TOPICS.control(), 7, null)),
                Arguments.of("truncated update", inbound(TOPICS.updates(), 7, Arrays.copyOf(update, 20))),
                Arguments.of("update on the control topic", inbound(TOPICS.control(), 7, update)),
                Arguments.of("spec on the updates topic", inbound(TOPICS.updates(), 7, spec)),
                Arguments.of("spec on the clients topic", inbound(TOPICS.clients(), 7, spec)),
                Arguments.of("garbage on the clients topic", inbound(TOPICS.clients(), 7, "beat".getBytes(StandardCharsets.UTF_8))),
                Arguments.of("spec from an unknown topic", inbound("floe.somewhere-else", 7, spec)),
                Arguments.of("garbage on the chunk-scores topic",
                        inbound(TOPICS.chunkScores(), 7, "not avro".getBytes(StandardCharsets.UTF_8))),
                Arguments.of("update on the chunk-scores topic", inbound(TOPICS.chunkScores(), 7, update)),
                Arguments.of("unknown schema version on the control topic", inbound(TOPICS.control(), 7, otherFingerprint(spec))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("undecodable")
    void undecodableRecordBecomesADeadLetterWithItsBytes(String description, InboundRecord in) throws Exception {
        // Execute
        harness.processElement(in, T0 + 7);

        // Assert
        assertThat(harness.extractOutputValues()).isEmpty();
        List<OutboundRecord> dead = deadLetterOutput();
        assertThat(dead).singleElement().satisfies(r -> assertThat(r.topic).isEqualTo(TOPICS.deadLetter()));
        DeadLetter letter = PublishedRecords.of(dead, TOPICS).deadLetters().get(0);
        assertThat(letter.getReason()).isEqualTo("UNDECODABLE");
        assertThat(letter.getDetail()).isNotBlank();
        assertThat(letter.getSourceTopic()).isEqualTo(in.topic);
        assertThat(letter.getPartition()).isEqualTo(in.partition);
        assertThat(letter.getOffset()).isEqualTo(in.offset);
        assertThat(bytes(letter.getKey())).isEqualTo(in.key);
        if (in.value == null) {
            assertThat(letter.getPayload()).isNull();
        } else {
            assertThat(bytes(letter.getPayload())).isEqualTo(in.value);
        }
        assertThat(letter.getRejectedAt().toEpochMilli()).isEqualTo(in.timestamp);
    }

    @Test
    void specOnTheControlTopicBecomesASpecEvent() throws Exception {
        // Prepare
        InboundRecord in = inbound(TOPICS.control(), 3, WireCodec.MODEL_SPEC.encode(spec(3).build()));

        // Execute
        harness.processElement(in, T0 + 3);

        // Assert
        assertThat(harness.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.modelId).isEqualTo(MODEL_ID);
            assertThat(e.kind).isEqualTo(ModelEvent.Kind.SPEC);
            assertThat(e.origin.value).isEqualTo(in.value);
            assertThat(e.origin.offset).isEqualTo(3L);
        });
        assertThat(deadLetterOutput()).isEmpty();
    }

    @Test
    void updateOnTheUpdatesTopicBecomesAnUpdateEventForItsModel() throws Exception {
        // Prepare
        InboundRecord in = keyed("other-model", inbound(TOPICS.updates(), 4,
                WireCodec.MODEL_UPDATE.encode(update("alice", 1, weights(0f, 0f, 0f)).setModelId("other-model").build())));

        // Execute
        harness.processElement(in, T0 + 4);

        // Assert
        assertThat(harness.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.modelId).isEqualTo("other-model");
            assertThat(e.kind).isEqualTo(ModelEvent.Kind.UPDATE);
            assertThat(e.origin.value).isEqualTo(in.value);
            assertThat(e.origin.topic).isEqualTo(TOPICS.updates());
        });
        assertThat(deadLetterOutput()).isEmpty();
    }

    private static InboundRecord keyed(String key, InboundRecord in) {
        in.key = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return in;
    }

    @ParameterizedTest(name = "key {0}")
    @org.junit.jupiter.params.provider.NullSource
    @org.junit.jupiter.params.provider.ValueSource(strings = {"other-model", ""})
    void aRecordNotKeyedByItsModelIdIsDeadLetteredKeyMismatch(String key) throws Exception {
        byte[] update = WireCodec.MODEL_UPDATE.encode(update("alice", 1, weights(0f, 0f, 0f)).build());

        harness.processElement(keyed(key, inbound(TOPICS.updates(), 8, update)), T0 + 8);

        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter letter = PublishedRecords.of(deadLetterOutput(), TOPICS).deadLetters().get(0);
        assertThat(letter.getReason()).isEqualTo("KEY_MISMATCH");
        assertThat(letter.getModelId()).isEqualTo(MODEL_ID);
        assertThat(letter.getDetail()).contains("keyed by their model id");
        assertThat(bytes(letter.getPayload())).isEqualTo(update);
    }

    /** The same body under a fingerprint no floe schema has: what a newer writer's record looks like here. */
    private static byte[] otherFingerprint(byte[] value) {
        byte[] copy = value.clone();
        copy[2] ^= 0x55;
        return copy;
    }

    @Test
    void anUpdateOfANewerSchemaVersionOnTheUpdatesTopicIsRoutedAsAnUpdate() throws Exception {
        InboundRecord in = inbound(TOPICS.updates(), 4, otherFingerprint(
                WireCodec.MODEL_UPDATE.encode(update("alice", 1, weights(0f, 0f, 0f)).build())));

        harness.processElement(in, T0 + 4);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.modelId).isEqualTo(MODEL_ID);
            assertThat(e.kind).isEqualTo(ModelEvent.Kind.UPDATE);
        });
        assertThat(deadLetterOutput()).isEmpty();
    }

    @Test
    void heartbeatOnTheClientsTopicBecomesAHeartbeatEventForItsModel() throws Exception {
        // Prepare
        InboundRecord in = keyed("other-model", inbound(TOPICS.clients(), 5, WireCodec.CLIENT_HEARTBEAT.encode(ClientHeartbeat.newBuilder()
                .setClientId("alice").setModelId("other-model").setSentAt(java.time.Instant.ofEpochMilli(T0)).build())));

        // Execute
        harness.processElement(in, T0 + 5);

        // Assert
        assertThat(harness.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.modelId).isEqualTo("other-model");
            assertThat(e.kind).isEqualTo(ModelEvent.Kind.HEARTBEAT);
            assertThat(e.origin.topic).isEqualTo(TOPICS.clients());
        });
        assertThat(deadLetterOutput()).isEmpty();
    }

    @Test
    void aChunkGoesToItsFolderAndItsReceiptToTheModelsCoordinator() throws Exception {
        float[] values = {0.5f, Float.NaN, 2f};
        byte[] data = io.floe.core.chunk.ChunkData.encode(values, 0, 3);
        byte[] chunk = WireCodec.UPDATE_CHUNK.encode(io.floe.schema.UpdateChunk.newBuilder().setModelId("big").setUpdateId("u-1")
                .setIndex(7).setData(java.nio.ByteBuffer.wrap(data)).build());
        InboundRecord in = new InboundRecord(TOPICS.updates(), 3, 42, T0, "big#7".getBytes(StandardCharsets.UTF_8), chunk);

        harness.processElement(in, T0);

        ModelEvent receipt = harness.extractOutputValues().get(0);
        assertThat(receipt.kind).isEqualTo(ModelEvent.Kind.CHUNK_RECEIPT);
        assertThat(receipt.modelId).isEqualTo("big");
        assertThat(receipt.origin.value).as("the coordinator never gets the chunk's bytes").isNull();
        assertThat(receipt.receipt.updateId).isEqualTo("u-1");
        assertThat(receipt.receipt.index).isEqualTo(7);
        assertThat(receipt.receipt.dataBytes).isEqualTo(12);
        assertThat(receipt.receipt.sha256).isEqualTo(io.floe.core.chunk.ChunkData.sha256(data));
        assertThat(receipt.receipt.problem).contains("not finite").contains("value 1");
        var chunks = harness.getSideOutput(RecordDecoder.CHUNKS);
        assertThat(chunks).singleElement().satisfies(r -> {
            assertThat(r.getValue().key).isEqualTo("big#7");
            assertThat(r.getValue().origin.value).isEqualTo(chunk);
        });
    }

    @Test
    void aChunkKeyedByItsModelIdAloneIsAKeyMismatch() throws Exception {
        byte[] chunk = WireCodec.UPDATE_CHUNK.encode(io.floe.schema.UpdateChunk.newBuilder().setModelId("big").setUpdateId("u-1")
                .setIndex(7).setData(java.nio.ByteBuffer.wrap(new byte[4])).build());

        harness.processElement(new InboundRecord(TOPICS.updates(), 0, 1, T0, "big".getBytes(StandardCharsets.UTF_8), chunk), T0);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(PublishedRecords.of(deadLetterOutput(), TOPICS).deadLetters()).singleElement()
                .satisfies(d -> assertThat(d.getReason()).isEqualTo("KEY_MISMATCH"));
    }

    private static byte[] scoreShare(String modelId) {
        return WireCodec.CHUNK_SCORE_SHARE.encode(io.floe.schema.ChunkScoreShare.newBuilder().setModelId(modelId).setVersion(4).setIndex(1)
                .setMembers(List.of("u-a", "u-b", "u-c")).setSquaredDistances(List.of(1.0, 2.0, 3.0))
                .setMedianDots(List.of(0.5, 0.25, 0.0)).setMedianSquares(1.5).build());
    }

    @Test
    void aScoreShareOnTheChunkScoresTopicKeyedByItsModelIdIsAScoreShareEventForItsModel() throws Exception {
        byte[] share = scoreShare("big");
        InboundRecord in = new InboundRecord(TOPICS.chunkScores(), 2, 9, T0, "big".getBytes(StandardCharsets.UTF_8), share);

        harness.processElement(in, T0 + 9);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(e -> {
            assertThat(e.modelId).isEqualTo("big");
            assertThat(e.kind).isEqualTo(ModelEvent.Kind.SCORE_SHARE);
            assertThat(e.origin.topic).isEqualTo(TOPICS.chunkScores());
            assertThat(e.origin.value).isEqualTo(share);
            assertThat(e.origin.offset).isEqualTo(9L);
        });
        assertThat(deadLetterOutput()).isEmpty();
    }

    @ParameterizedTest(name = "key {0}")
    @org.junit.jupiter.params.provider.NullSource
    @org.junit.jupiter.params.provider.ValueSource(strings = {"other-model", "big#1", ""})
    void aScoreShareNotKeyedByItsModelIdIsDeadLetteredKeyMismatch(String key) throws Exception {
        byte[] share = scoreShare("big");
        InboundRecord in = new InboundRecord(TOPICS.chunkScores(), 0, 3, T0, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                share);

        harness.processElement(in, T0 + 3);

        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter letter = PublishedRecords.of(deadLetterOutput(), TOPICS).deadLetters().get(0);
        assertThat(letter.getReason()).isEqualTo("KEY_MISMATCH");
        assertThat(letter.getModelId()).isEqualTo("big");
        assertThat(letter.getSourceTopic()).isEqualTo(TOPICS.chunkScores());
        assertThat(bytes(letter.getPayload())).isEqualTo(share);
    }

    private List<OutboundRecord> deadLetterOutput() {
        var side = harness.getSideOutput(RecordDecoder.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }
}
