package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.schema.ChunkManifest;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.Provenance;
import io.floe.trainer.daemon.ChunkedUpdate;
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

    @Test
    void aChunkedUpdateCountsItsHeaderAndEveryChunkRecordAndReachesTheSinksChunkedSend() throws Exception {
        // Prepare: 600 values in chunks of 1024 bytes (256 values): 3 chunk records
        UplinkLedger ledger = new UplinkLedger();
        List<ChunkedUpdate> handedOn = new ArrayList<>();
        UpdateSink sink = ledger.wrap(new UpdateSink() {
            @Override
            public void send(ModelUpdate update) {
                throw new AssertionError("a chunked update is not sent whole");
            }

            @Override
            public void sendChunked(ChunkedUpdate update) {
                handedOn.add(update);
            }
        });
        ModelUpdate dense = update("u-c", 600, Map.of("dp_epsilon", 0.7));
        ChunkManifest manifest = ChunkedUpdates.cut("m", "model", new float[600], 1024).manifest();
        GlobalModel base = GlobalModel.newBuilder().setModelId("m").setVersion(0).setCreatedAt(Instant.EPOCH).setArchitecture("opaque")
                .setTensors(List.of()).setTraining(ClientTrainingConfig.newBuilder().build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(-1).setUpdateIds(List.of()).build())
                .setChunks(manifest).build();
        ChunkedUpdate chunked = ChunkedUpdate.cut(dense, base);

        // Execute
        sink.sendChunked(chunked);

        // Assert
        long expected = WireCodec.MODEL_UPDATE.encode(chunked.header()).length;
        for (var c : chunked.chunks()) {
            expected += WireCodec.UPDATE_CHUNK.encode(c).length;
        }
        assertThat(chunked.chunks()).hasSize(3);
        assertThat(handedOn).containsExactly(chunked);
        assertThat(ledger.bytesOf(List.of(accepted("u-c")))).isEqualTo(expected).isGreaterThan(600 * 4);
        assertThat(ledger.maxEpsilonOf(List.of(accepted("u-c")))).isEqualTo(0.7);
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
