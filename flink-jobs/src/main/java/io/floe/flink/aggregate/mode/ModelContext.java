package io.floe.flink.aggregate.mode;

import io.floe.core.settings.AggregationSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.validate.Rejection;
import io.floe.flink.aggregate.Outputs;
import io.floe.flink.aggregate.state.ModelStates;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.RejectedUpdate;
import java.time.Instant;
import org.apache.flink.streaming.api.TimerService;

/**
 * One event of an existing model, as a mode sees it: the model's spec and its settings (parsed
 * once per spec), the current global model, the event's time (its Kafka timestamp, or a timer's
 * time), the timer service and the outputs.
 */
public final class ModelContext {
    private final ModelStates states;
    private final ModelSpec spec;
    private final AggregationSettings settings;
    private final GlobalModel current;
    private final Instant now;
    private final TimerService timers;
    private final Outputs out;

    public ModelContext(ModelStates states, Instant now, TimerService timers, Outputs out) throws Exception {
        this.states = states;
        this.spec = states.model().spec();
        this.settings = states.model().settings();
        this.current = states.model().current();
        this.now = now;
        this.timers = timers;
        this.out = out;
    }

    public ModelSpec spec() {
        return spec;
    }

    public AggregationSettings settings() {
        return settings;
    }

    /** The newest published version. */
    public GlobalModel current() {
        return current;
    }

    /** The newest version's decoded weights (decoded once per version). */
    public ModelWeights currentWeights() {
        return states.model().weights(current);
    }

    public Instant now() {
        return now;
    }

    public TimerService timers() {
        return timers;
    }

    public Outputs out() {
        return out;
    }

    public String modelId() {
        return current.getModelId();
    }

    /** Makes {@code next} the current version and publishes it. */
    public void publish(GlobalModel next) throws Exception {
        out.model(next, states.model().storeVersion(out.signed(next)));
    }

    /**
     * Dead-letters an update with the reason it is not used; {@code forReport} also lists it in the
     * report of the next version (a rejection by the round or buffer it was sent to).
     */
    public void reject(ModelUpdate update, InboundRecord origin, Rejection rejection, boolean forReport) throws Exception {
        out.deadLetter(origin, rejection, update.getModelId(), update.getClientId(), update.getUpdateId());
        if (forReport) {
            states.rejections().add(RejectedUpdate.newBuilder()
                    .setUpdateId(update.getUpdateId())
                    .setClientId(update.getClientId())
                    .setReason(rejection.reason().name())
                    .setDetail(rejection.detail())
                    .build());
        }
    }
}
