package io.floe.core.aggregate;

import java.util.List;

/**
 * Combines the deltas of one round (or one asynchronous buffer) into a single delta that the
 * server adds to the current global model.
 *
 * <p>Contract: implementations are stateless and deterministic: the result depends on the set
 * of updates only, not on their order, so any published version can be replayed from the log.
 * Callers pass at least one update, all with the same tensor layout (the job validates that
 * before aggregating).
 */
public interface AggregationRule {

    /** The name ModelSpec uses to select this rule, e.g. {@code fedavg}. */
    String name();

    AggregationResult aggregate(List<ClientUpdate> updates);
}
