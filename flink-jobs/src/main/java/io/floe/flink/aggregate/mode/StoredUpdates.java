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
 * and, for SCAFFOLD, each one's control delta.
 */
record StoredUpdates(List<ClientUpdate> updates, Map<String, byte[]> rawByUpdateId, Map<String, ModelWeights> controlDeltas) {

    /** Decodes {@code stored} (validated when they arrived); control deltas only when {@code withControl}. */
    static StoredUpdates decode(Iterable<byte[]> stored, boolean withControl) {
        List<ClientUpdate> updates = new ArrayList<>();
        Map<String, byte[]> raw = new HashMap<>();
        Map<String, ModelWeights> controls = new HashMap<>();
        for (byte[] bytes : stored) {
            ModelUpdate u = WireCodec.MODEL_UPDATE.decode(bytes);
            updates.add(new ClientUpdate(u.getUpdateId(), u.getClientId(), u.getBaseVersion(), u.getNumExamples(),
                    u.getLocalSteps(), TensorRecords.fromRecords(u.getTensors()), u.getMetrics()));
            raw.put(u.getUpdateId(), bytes);
            if (withControl) {
                controls.put(u.getUpdateId(), TensorRecords.fromRecords(u.getControlDelta()));
            }
        }
        return new StoredUpdates(updates, raw, controls);
    }
}
