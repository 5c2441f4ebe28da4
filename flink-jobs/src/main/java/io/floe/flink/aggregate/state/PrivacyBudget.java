package io.floe.flink.aggregate.state;

import io.floe.core.privacy.CentralDp;
import io.floe.core.privacy.PrivacyLedger;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * Central DP: the model's {@link PrivacyLedger} (RDP spent so far, the current clip norm, whether
 * the budget is exhausted), absent until the first private round. A model whose budget is
 * exhausted publishes nothing more, so the ledger outlives any reconfiguration.
 */
public final class PrivacyBudget implements ModelState {
    private final ValueState<byte[]> ledger;

    public PrivacyBudget(RuntimeContext context) {
        ledger = context.getState(new ValueStateDescriptor<>("privacy-ledger", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /** Whether a private round has stopped at the target epsilon. */
    public boolean exhausted() throws Exception {
        byte[] bytes = ledger.value();
        return bytes != null && PrivacyLedger.decode(bytes).exhausted();
    }

    /** The ledger before the next round: the stored one, or a fresh one at the spec's clip norm. */
    public PrivacyLedger before(CentralDp dp) throws Exception {
        byte[] bytes = ledger.value();
        return bytes == null ? PrivacyLedger.start(dp.clipNorm()) : PrivacyLedger.decode(bytes);
    }

    public void store(PrivacyLedger after) throws Exception {
        ledger.update(after.encode());
    }

    /** Privacy spent stays spent: no configuration change refunds it. */
    @Override
    public void reconfigure(SpecChange change) {
    }
}
