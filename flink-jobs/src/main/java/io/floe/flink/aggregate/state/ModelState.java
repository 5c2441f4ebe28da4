package io.floe.flink.aggregate.state;

/**
 * A holder of one concern's keyed state for the current model. A spec that reconfigures an
 * existing model is offered to every holder, each of which resets what its concern requires (and
 * nothing else): the operator keeps no list of state to clear.
 */
public interface ModelState {
    /** Resets what {@code change} invalidates in this concern's state; most changes leave it as it is. */
    void reconfigure(SpecChange change) throws Exception;
}
