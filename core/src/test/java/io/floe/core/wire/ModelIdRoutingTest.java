package io.floe.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ModelUpdate;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link WireCodec#modelIdOf}: the job routes a record by its model id without decoding its tensors. */
class ModelIdRoutingTest {
    private static final int PARAMETERS = 1 << 20; // a 4 MiB update

    private static byte[] largeUpdate() {
        float[] values = new float[PARAMETERS];
        Arrays.fill(values, 0.25f);
        ModelWeights delta = new ModelWeights(List.of(new Tensor("w", new int[] {PARAMETERS}, values)));
        return WireCodec.MODEL_UPDATE.encode(ModelUpdate.newBuilder().setUpdateId("u1").setModelId("hospital-model")
                .setClientId("site-1").setBaseVersion(3).setNumExamples(10).setCreatedAt(Instant.EPOCH)
                .setTensors(TensorRecords.toRecords(delta)).setMetrics(Map.of()).build());
    }

    @Test
    void readsTheModelIdOfEachRoutedType() {
        byte[] update = largeUpdate();
        byte[] heartbeat = WireCodec.CLIENT_HEARTBEAT.encode(ClientHeartbeat.newBuilder().setClientId("site-2")
                .setModelId("fraud-model").setSentAt(Instant.EPOCH).build());

        assertThat(WireCodec.MODEL_UPDATE.modelIdOf(update)).isEqualTo("hospital-model");
        assertThat(WireCodec.CLIENT_HEARTBEAT.modelIdOf(heartbeat)).isEqualTo("fraud-model");
    }

    @Test
    void skipsTheTensorsInsteadOfCopyingThem() {
        byte[] update = largeUpdate();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter not available");
        WireCodec.MODEL_UPDATE.modelIdOf(update); // class loading outside the measurement

        long before = threads.getCurrentThreadAllocatedBytes();
        String modelId = WireCodec.MODEL_UPDATE.modelIdOf(update);
        long routing = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        WireCodec.MODEL_UPDATE.decode(update);
        long decoding = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(modelId).isEqualTo("hospital-model");
        assertThat(decoding).as("a full decode copies the 4 MiB of tensor data").isGreaterThan(4L * PARAMETERS);
        assertThat(routing).as("routing allocates a small fraction of the update").isLessThan(PARAMETERS / 4);
    }

    @Test
    void refusesBytesThatAreNotTheType() {
        byte[] heartbeat = WireCodec.CLIENT_HEARTBEAT.encode(ClientHeartbeat.newBuilder().setClientId("site-2")
                .setModelId("fraud-model").setSentAt(Instant.EPOCH).build());
        byte[] truncated = Arrays.copyOf(largeUpdate(), 1000);

        assertThatThrownBy(() -> WireCodec.MODEL_UPDATE.modelIdOf(heartbeat)).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("single-object header");
        assertThatThrownBy(() -> WireCodec.MODEL_UPDATE.modelIdOf(truncated)).isInstanceOf(MalformedRecordException.class);
        assertThatThrownBy(() -> WireCodec.GLOBAL_MODEL.modelIdOf(new byte[0])).isInstanceOf(MalformedRecordException.class);
    }
}
