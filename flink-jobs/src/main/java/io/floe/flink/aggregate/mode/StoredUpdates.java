package io.floe.flink.aggregate.mode;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ModelUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A round's or buffer's updates read back from keyed state at close: the decoded updates, each
 * one's stored bytes by updateId (an update rejected as anomalous is dead-lettered as it arrived),
 * for SCAFFOLD each one's control delta, and each one's size as if it were dense (for the
 * report's uplink bytes).
 */
record StoredUpdates(List<ClientUpdate> updates, Map<String, byte[]> rawByUpdateId, Map<String, ModelWeights> controlDeltas,
        Map<String, Long> denseBytesByUpdateId) {

    /** What {@code update}, sent as {@code wireBytes}, would take with every tensor dense float32. */
    static long denseBytes(ModelUpdate update, long wireBytes) {
        long dense = wireBytes;
        for (io.floe.schema.Tensor t : update.getTensors()) {
            long values = 1;
            for (Integer d : t.getShape()) {
                values *= d;
            }
            dense += 4 * values - t.getData().remaining();
        }
        return dense;
    }

    /** Sets {@code report}'s uplink and dense uplink bytes from the stored updates it accepted. */
    void countUplink(io.floe.schema.AggregationReport report) {
        long wire = 0;
        long dense = 0;
        for (io.floe.schema.AcceptedUpdate a : report.getAccepted()) {
            byte[] raw = rawByUpdateId.get(a.getUpdateId());
            if (raw != null) {
                wire += raw.length;
                dense += denseBytesByUpdateId.get(a.getUpdateId());
            }
        }
        report.setUplinkBytes(wire);
        report.setDenseUplinkBytes(dense);
    }

    /** Decodes {@code stored} (validated when they arrived); control deltas only when {@code withControl}. */
    static StoredUpdates decode(Iterable<byte[]> stored, boolean withControl) {
        List<ClientUpdate> updates = new ArrayList<>();
        Map<String, byte[]> raw = new HashMap<>();
        Map<String, ModelWeights> controls = new HashMap<>();
        Map<String, Long> dense = new HashMap<>();
        for (byte[] bytes : stored) {
            ModelUpdate u = WireCodec.MODEL_UPDATE.decode(bytes);
            dense.put(u.getUpdateId(), denseBytes(u, bytes.length));
            updates.add(new ClientUpdate(u.getUpdateId(), u.getClientId(), u.getBaseVersion(), u.getNumExamples(),
                    u.getLocalSteps(), TensorRecords.fromRecords(u.getTensors()), u.getMetrics()));
            raw.put(u.getUpdateId(), bytes);
            if (withControl) {
                controls.put(u.getUpdateId(), TensorRecords.fromRecords(u.getControlDelta()));
            }
        }
        return new StoredUpdates(updates, raw, controls, dense);
    }
}
