package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import io.floe.trainer.daemon.UpdateSink;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ledger measures what a sink sends and answers for the updates a report accepted. */
class UplinkLedgerTest {

    @Test
    void wrappedSinkRecordsEachUpdatesWireSizeBeforeHandingItOn() throws Exception {
        // Prepare
        UplinkLedger ledger = new UplinkLedger();
        List<Integer> seenByDelegate = new ArrayList<>();
        UpdateSink sink = ledger.wrap(u -> seenByDelegate.add(ledger.size()));
        ModelUpdate small = update("u-1", 4, Map.of());
        ModelUpdate large = update("u-2", 400, Map.of("dp_epsilon", 1.5));

        // Execute
        sink.send(small);
        sink.send(large);

        // Assert: recorded before the delegate ran; sizes are the encoded records'
        assertThat(seenByDelegate).containsExactly(1, 2);
        assertThat(ledger.bytesOf(List.of(accepted("u-1")))).isEqualTo(WireCodec.MODEL_UPDATE.encode(small).length);
        assertThat(ledger.bytesOf(List.of(accepted("u-1"), accepted("u-2"))))
                .isEqualTo(WireCodec.MODEL_UPDATE.encode(small).length + WireCodec.MODEL_UPDATE.encode(large).length);
        assertThat(ledger.bytesOf(List.of(accepted("u-2")))).isGreaterThan(400 * 4);
    }

    @Test
    void unknownUpdatesCountNothingAndEpsilonIsTheLargestReported() {
        UplinkLedger ledger = new UplinkLedger();
        ledger.record(update("a", 1, Map.of("dp_epsilon", 0.5)));
        ledger.record(update("b", 1, Map.of("dp_epsilon", 2.0)));
        ledger.record(update("c", 1, Map.of("accuracy", 0.9)));

        assertThat(ledger.bytesOf(List.of(accepted("nobody")))).isZero();
        assertThat(ledger.maxEpsilonOf(List.of(accepted("a"), accepted("b"), accepted("c")))).isEqualTo(2.0);
        assertThat(ledger.maxEpsilonOf(List.of(accepted("c")))).isNaN();
    }

    @Test
    void stopRetryingReachesTheWrappedSink() {
        boolean[] stopped = {false};
        UpdateSink sink = new UplinkLedger().wrap(new UpdateSink() {
            @Override
            public void send(ModelUpdate update) {
            }

            @Override
            public void stopRetrying() {
                stopped[0] = true;
            }
        });

        sink.stopRetrying();

        assertThat(stopped[0]).isTrue();
    }

    private static AcceptedUpdate accepted(String updateId) {
        return AcceptedUpdate.newBuilder().setUpdateId(updateId).setClientId("c").setNumExamples(1).setWeight(1).build();
    }

    private static ModelUpdate update(String id, int floats, Map<String, Double> metrics) {
        Tensor t = Tensor.newBuilder().setName("w").setShape(List.of(floats)).setData(ByteBuffer.wrap(new byte[4 * floats])).build();
        return ModelUpdate.newBuilder().setUpdateId(id).setModelId("m").setClientId("c").setBaseVersion(0).setNumExamples(1)
                .setCreatedAt(Instant.EPOCH).setTensors(List.of(t)).setMetrics(metrics).build();
    }
}
