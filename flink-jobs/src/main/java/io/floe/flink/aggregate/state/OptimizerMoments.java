package io.floe.flink.aggregate.state;

import io.floe.core.drift.OptimizerState;
import io.floe.core.drift.ServerOptimizer;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server optimizer's state ({@link OptimizerState}: FedAvgM's momentum, FedAdam's moments...)
 * as one single-object encoded Tensor per moment, next to the name of the optimizer that wrote
 * them. State written by another optimizer is not used: a spec that switches optimizers makes the
 * next round start from the new one's initial state, so no reconfiguration needs to clear it.
 */
public final class OptimizerMoments implements ModelState {
    private static final Logger LOG = LoggerFactory.getLogger(OptimizerMoments.class);

    private final ValueState<String> optimizer;
    private final ListState<byte[]> moments;

    public OptimizerMoments(RuntimeContext context) {
        optimizer = context.getState(new ValueStateDescriptor<>("server-optimizer", Types.STRING));
        moments = context.getListState(
                new ListStateDescriptor<>("server-optimizer-state", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /**
     * The state {@code wanted} left after the previous round, or null (start from its initial state)
     * when none is stored or it was written by another optimizer.
     */
    public OptimizerState stored(ServerOptimizer wanted, String modelId) throws Exception {
        String writer = optimizer.value();
        if (writer == null) {
            return null;
        }
        if (!writer.equals(wanted.name())) {
            LOG.info("model {}: server optimizer changed from {} to {}; its state starts afresh", modelId, writer, wanted.name());
            return null;
        }
        List<Tensor> records = new ArrayList<>();
        for (byte[] bytes : moments.get()) {
            records.add(Tensor.getDecoder().decode(bytes));
        }
        return OptimizerState.restore(TensorRecords.fromRecords(records));
    }

    /** Keeps {@code state} (written by {@code writer}) for the next round; a null state keeps what is stored. */
    public void store(ServerOptimizer writer, OptimizerState state) throws Exception {
        if (state == null) {
            return;
        }
        List<byte[]> encoded = new ArrayList<>();
        for (Tensor t : TensorRecords.toRecords(state.asWeights())) {
            ByteBuffer buf = Tensor.getEncoder().encode(t);
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            encoded.add(bytes);
        }
        optimizer.update(writer.name());
        moments.update(encoded);
    }

    @Override
    public void reconfigure(SpecChange change) {
    }
}
