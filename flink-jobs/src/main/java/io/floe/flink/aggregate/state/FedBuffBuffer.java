package io.floe.flink.aggregate.state;

import io.floe.core.wire.WireCodec;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FedBuff's buffer (Nguyen et al. 2022): the updates waiting for the next buffer step, as the
 * single-object bytes they arrived in, keyed {@code clientId@baseVersion}: a client may have
 * several updates in a buffer, from different base versions, but one per base version.
 */
public final class FedBuffBuffer implements ModelState {
    private static final Logger LOG = LoggerFactory.getLogger(FedBuffBuffer.class);

    private final MapState<String, byte[]> buffer;

    public FedBuffBuffer(RuntimeContext context) {
        buffer = context.getMapState(
                new MapStateDescriptor<>("async-buffer", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /** Whether the client already has an update trained from {@code baseVersion} in the buffer. */
    public boolean holds(String clientId, long baseVersion) throws Exception {
        return buffer.contains(key(clientId, baseVersion));
    }

    /** The updateId of the client's buffered update trained from {@code baseVersion}, or null. */
    public String updateIdOf(String clientId, long baseVersion) throws Exception {
        byte[] stored = buffer.get(key(clientId, baseVersion));
        return stored == null ? null : WireCodec.MODEL_UPDATE.decode(stored).getUpdateId();
    }

    /** Buffers an update; returns how many the buffer holds now. */
    public int add(String clientId, long baseVersion, byte[] update) throws Exception {
        buffer.put(key(clientId, baseVersion), update);
        return size();
    }

    /** The buffered updates' stored bytes. */
    public Iterable<byte[]> updates() throws Exception {
        return buffer.values();
    }

    /** The buffer step ran (or its updates were dropped). */
    public void clear() {
        buffer.clear();
    }

    /** A new mode or drift algorithm drops the partial buffer. */
    @Override
    public void reconfigure(SpecChange change) throws Exception {
        if (change.dropsPendingUpdates()) {
            int n = size();
            if (n > 0) {
                LOG.warn("model {}: {} buffered updates are dropped (mode {} -> {})", change.modelId(), n,
                        change.modeBefore().configName(), change.modeAfter().configName());
            }
            clear();
        }
    }

    private int size() throws Exception {
        int n = 0;
        for (String ignored : buffer.keys()) {
            n++;
        }
        return n;
    }

    private static String key(String clientId, long baseVersion) {
        return clientId + "@" + baseVersion;
    }
}
