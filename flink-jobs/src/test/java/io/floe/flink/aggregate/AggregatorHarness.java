package io.floe.flink.aggregate;

import io.floe.flink.io.OutboundRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** Opens a keyed harness around a {@link ModelAggregator}, optionally restored from a snapshot. */
final class AggregatorHarness {
    private AggregatorHarness() {
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> open(ModelAggregator aggregator,
            OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord>(
                new KeyedProcessOperator<>(aggregator), e -> e.modelId, Types.STRING);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }
}
