package io.floe.flink.aggregate.state;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * FedAsync's recent versions (GlobalModel bytes by version): a stale client's update is mixed as
 * {@code x_base + Delta}, so the server keeps the last {@code versionsKept} versions' weights
 * (Xie et al. 2019, FedAsync).
 */
public final class VersionHistory implements ModelState {
    private final MapState<Long, byte[]> versions;

    public VersionHistory(RuntimeContext context) {
        versions = context.getMapState(
                new MapStateDescriptor<>("version-history", Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    public boolean holds(long version) throws Exception {
        return versions.contains(version);
    }

    /** The weights of a kept version. */
    public ModelWeights weights(long version) throws Exception {
        return TensorRecords.fromRecords(WireCodec.GLOBAL_MODEL.decode(versions.get(version)).getTensors());
    }

    /**
     * Keeps {@code version}'s stored bytes (not re-encoded) as it is superseded by {@code next},
     * and forgets the version that falls out of the last {@code versionsKept}.
     */
    public void supersede(long version, byte[] stored, long next, int versionsKept) throws Exception {
        versions.put(version, stored);
        versions.remove(next - versionsKept - 1);
    }

    /** Versions of another mode or drift algorithm are not mixed with. */
    @Override
    public void reconfigure(SpecChange change) {
        if (change.dropsPendingUpdates()) {
            versions.clear();
        }
    }
}
