package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.ModelUpdate;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The updateId is the idempotency key: the same update delivered twice counts once and is no dead letter. */
class RedeliveredUpdateTest {

    @Test
    void aRedeliveredUpdateIsIgnoredWhileAnotherUpdateFromTheSameClientIsRejected() throws Exception {
        var h = AggregatorHarness.open(new ModelAggregator(TOPICS), null);
        h.processElement(specEvent(spec(2).build(), 0), T0);
        PublishedRecords.drain(h, TOPICS);
        ModelUpdate alice = update("alice", 4, weights(0.1f, 0.2f, 0.3f)).build();

        h.processElement(updateEvent(alice, 1), T0 + 1);
        h.processElement(updateEvent(alice, 2), T0 + 2); // the same record again
        PublishedRecords afterRedelivery = PublishedRecords.drain(h, TOPICS);
        h.processElement(updateEvent(update("alice", 4, weights(0f, 0f, 0f)).setUpdateId("u-alice-other").build(), 3), T0 + 3);
        PublishedRecords afterOther = PublishedRecords.drain(h, TOPICS);
        h.processElement(updateEvent(update("bob", 4, weights(0.1f, 0.2f, 0.3f)).build(), 4), T0 + 4);
        PublishedRecords closed = PublishedRecords.drain(h, TOPICS);
        h.close();

        assertThat(afterRedelivery.isEmpty()).isTrue();
        assertThat(afterOther.deadLetters()).singleElement().satisfies(d -> assertThat(d.getReason()).isEqualTo("DUPLICATE_CLIENT"));
        assertThat(closed.reports()).singleElement().satisfies(r -> {
            assertThat(r.getAccepted()).extracting(AcceptedUpdate::getUpdateId).containsExactly("u-alice", "u-bob");
            assertThat(r.getRejected()).hasSize(1);
        });
    }
}
