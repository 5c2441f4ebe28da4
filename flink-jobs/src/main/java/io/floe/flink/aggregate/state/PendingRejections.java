package io.floe.flink.aggregate.state;

import io.floe.schema.RejectedUpdate;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * Updates rejected since the last published version, for the next version's report: a sync
 * round's, a FedBuff buffer's or FedAsync's next step's. They were dead-lettered when rejected;
 * this list only feeds the report.
 *
 * <p>They belong to the round or buffer they were sent to: a spec that drops the pending updates
 * (new mode or drift algorithm) drops these too, so a report never lists rejections from an
 * aggregation it did not close.
 */
public final class PendingRejections implements ModelState {
    private final ListState<byte[]> rejected;

    public PendingRejections(RuntimeContext context) {
        rejected = context.getListState(
                new ListStateDescriptor<>("round-rejections", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    public void add(RejectedUpdate rejection) throws Exception {
        rejected.add(RejectedUpdate.getEncoder().encode(rejection).array());
    }

    /** The rejections so far, in the order they happened. */
    public List<RejectedUpdate> all() throws Exception {
        List<RejectedUpdate> out = new ArrayList<>();
        for (byte[] bytes : rejected.get()) {
            out.add(RejectedUpdate.getDecoder().decode(bytes));
        }
        return out;
    }

    /** A version was published (or a round ended without one): its report took these. */
    public void clear() {
        rejected.clear();
    }

    @Override
    public void reconfigure(SpecChange change) {
        if (change.dropsPendingUpdates()) {
            clear();
        }
    }
}
