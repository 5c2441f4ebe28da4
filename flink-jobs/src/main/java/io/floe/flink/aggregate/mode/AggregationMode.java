package io.floe.flink.aggregate.mode;

import io.floe.flink.io.InboundRecord;
import io.floe.schema.ModelUpdate;

/**
 * How a model turns updates into versions: synchronous rounds, FedAsync or FedBuff. The operator
 * hands each event of a model to the mode its current spec names (Flink's {@code WindowOperator}
 * is handed its trigger in the same way).
 *
 * <p>Call order: {@link #onSpec} when a spec creates the model in this mode, reconfigures it
 * within this mode or switches it to this mode (after {@link #onDropped} of the mode it leaves and
 * after every state holder has reset what the change requires); {@link #onUpdate} for each update
 * of an existing model whose privacy budget is not spent; {@link #onTimer} when a processing-time
 * timer of the model fires.
 */
public interface AggregationMode {
    /** An update arrived, decoded once; it is validated, then aggregated, buffered, mixed or rejected. */
    void onUpdate(ModelUpdate update, InboundRecord origin, ModelContext ctx) throws Exception;

    /** A processing-time timer fired at {@code timestamp}; modes that set no timers ignore it. */
    default void onTimer(long timestamp, ModelContext ctx) throws Exception {
    }

    /**
     * The spec was applied with this mode: the model was created, reconfigured or switched to it.
     * A mode whose pending state the holders reset by themselves has nothing more to do.
     */
    default void onSpec(ModelContext ctx) throws Exception {
    }

    /** The model leaves this mode for another one: what the mode armed outside keyed state (timers) goes. */
    default void onDropped(ModelContext ctx) throws Exception {
    }
}
