package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.TinyLinearModel.T0;
import static io.floe.flink.aggregate.TinyLinearModel.TOPICS;
import static io.floe.flink.aggregate.TinyLinearModel.spec;
import static io.floe.flink.aggregate.TinyLinearModel.specEvent;
import static io.floe.flink.aggregate.TinyLinearModel.update;
import static io.floe.flink.aggregate.TinyLinearModel.updateEvent;
import static io.floe.flink.aggregate.TinyLinearModel.weights;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.codec.Compression;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each report counts the wire bytes of the updates it accepted and what they would have taken
 * dense: a compressed update is decoded, aggregated like a dense one, and shows its saving there.
 */
class UplinkBytesTest {
    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    private static ModelUpdate compressed(ModelUpdate dense, String compression) {
        List<io.floe.schema.Tensor> encoded = new ArrayList<>();
        for (Tensor t : TensorRecords.fromRecords(dense.getTensors()).tensors()) {
            encoded.add(TensorRecords.toRecord(t, Compression.parse(compression), new SplittableRandom(1)));
        }
        return ModelUpdate.newBuilder(dense).setTensors(encoded).build();
    }

    @Test
    void aSyncRoundReportsTheWireAndDenseBytesOfWhatItAccepted() throws Exception {
        var h = harnesses.open(null);
        h.processElement(specEvent(spec(2).build(), 0), T0);
        PublishedRecords.drain(h, TOPICS);
        ModelUpdate alice = update("alice", 1, weights(1f, 2f, 4f)).build();
        ModelUpdate bob = compressed(update("bob", 1, weights(0f, 8f, 0f)).build(), "fp16");
        byte[] aliceBytes = WireCodec.MODEL_UPDATE.encode(alice);
        byte[] bobBytes = WireCodec.MODEL_UPDATE.encode(bob);

        h.processElement(updateEvent(alice, 1), T0 + 1);
        h.processElement(updateEvent(bob, 2), T0 + 2);

        // bob's three values take 2 bytes each instead of 4: his dense record is 6 bytes longer (same length varints)
        PublishedRecords out = PublishedRecords.drain(h, TOPICS);
        assertThat(out.reports()).singleElement().satisfies(r -> {
            assertThat(r.getUplinkBytes()).isEqualTo(aliceBytes.length + bobBytes.length);
            assertThat(r.getDenseUplinkBytes()).isEqualTo(aliceBytes.length + bobBytes.length + 6);
        });
        // fp16 holds 8, 1, 2 and 4 exactly: the version is what dense updates would make, (x0 + (0.5, 5, 2))
        assertThat(TensorRecords.fromRecords(out.models().get(0).getTensors())).isEqualTo(weights(1f, 4.75f, 2.125f));
    }

    @Test
    void aFedAsyncStepReportsItsOneUpdate() throws Exception {
        var h = harnesses.open(null);
        h.processElement(specEvent(spec(10).setAggregation(AggregationConfig.newBuilder().setMode("fedasync").setAsyncMixing(0.5)
                .setStaleness("constant").build()).build(), 0), T0);
        PublishedRecords.drain(h, TOPICS);
        ModelUpdate alice = compressed(update("alice", 1, weights(1f, 0f, 0f)).build(), "fp16");

        h.processElement(updateEvent(alice, 1), T0 + 1);

        byte[] wire = WireCodec.MODEL_UPDATE.encode(alice);
        assertThat(PublishedRecords.drain(h, TOPICS).reports()).singleElement().satisfies(r -> {
            assertThat(r.getUplinkBytes()).isEqualTo(wire.length);
            assertThat(r.getDenseUplinkBytes()).isEqualTo(wire.length + 6);
        });
    }
}
