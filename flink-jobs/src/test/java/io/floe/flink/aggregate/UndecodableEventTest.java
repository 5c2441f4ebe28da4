package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.MODEL_ID;
import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.inbound;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.WireCodec;
import io.floe.schema.DeadLetter;
import io.floe.schema.ModelUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routing reads only the model id, so the operator is the first to decode a whole record: a record
 * whose body does not decode reaches it and must become a dead letter, not an exception (which
 * would restart the job onto the same record).
 */
class UndecodableEventTest {
    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    @Test
    void aBodyThatDoesNotDecodeIsDeadLetteredNotThrown() throws Exception {
        var harness = harnesses.open(null);
        harness.processElement(specEvent(spec(2).build(), 0), T0);
        PublishedRecords.drain(harness, TOPICS);
        // an update whose bytes end early: enough for the model id, not for the whole record
        byte[] whole = WireCodec.MODEL_UPDATE.encode(ModelUpdate.newBuilder().setUpdateId("u1").setModelId(MODEL_ID)
                .setClientId("alice").setBaseVersion(0).setNumExamples(1).setCreatedAt(Instant.EPOCH).setTensors(List.of())
                .setMetrics(Map.of()).build());
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);

        harness.processElement(new ModelEvent(MODEL_ID, ModelEvent.Kind.UPDATE, inbound(TOPICS.updates(), 1, cut)), T0 + 1);

        PublishedRecords out = PublishedRecords.drain(harness, TOPICS);
        assertThat(out.models()).isEmpty();
        assertThat(out.deadLetters()).extracting(DeadLetter::getReason).containsExactly("UNDECODABLE");
        assertThat(PublishedRecords.bytes(out.deadLetters().get(0).getPayload())).isEqualTo(cut);
    }
}
