package io.floe.core.server;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.anomaly.Decision;
import io.floe.core.drift.OptimizerState;
import io.floe.core.drift.ScaffoldServer;
import io.floe.core.drift.ScaffoldUpdate;
import io.floe.core.drift.ServerOptimizer;
import io.floe.core.drift.ServerStep;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.settings.DriftSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The server step of a synchronous round: turns a complete round into what the job publishes,
 * global version {@code v+1} and its {@link AggregationReport}. FedBuff's buffer closes through
 * here too ({@link FedBuffStep}), and central DP wraps it ({@link CentralDpStep}).
 *
 * <p>The round's delta Δ comes from the model's rule ({@link io.floe.core.drift.FedNova} for {@code algorithm
 * fednova}) through the step's {@link Aggregation} ({@link RoundAggregation#run} unless a decorator
 * says otherwise); the server step is then {@code w_{v+1} = w_v + eta_g Δ} for {@code serverOptimizer
 * fedavg} ({@code eta_g} the server learning rate, 1 by default) or the model's
 * {@link ServerOptimizer} with the state the previous round left ({@link RoundInput#optimizerState()}),
 * returned in {@link ClosedRound#optimizerState()} for the caller to keep. A round in which every
 * update was rejected keeps the previous weights and does not step the optimizer: a zero delta would
 * still move x through the momentum, and the previous model is to be kept (as Flower does).
 *
 * <p>SCAFFOLD (Karimireddy et al., ICML 2020, Algorithm 1): x moves as above (rule fedavg: the
 * n_i-weighted mean of Δy_i, which is the paper's 1/|S| mean when the n_i are equal), and the
 * server control variate, carried in {@link GlobalModel#getControl()}, moves by
 * {@code c <- c + (1/N) sum_{i in S} Δc_i} over the updates the round aggregated (anomaly
 * rejections excluded, so a rejected client cannot steer c), N being {@link
 * DriftSettings#scaffoldClients()}. A version with no control (a model switched to scaffold)
 * counts as c = 0.
 *
 * <p>Plain Java so that the job and any auditor replaying the log compute the same bytes: updates
 * are sorted by updateId (then clientId) before the rule sees them, and provenance lists their ids.
 */
public final class ServerRound implements AggregationStep {

    /** How a round's updates, sorted by updateId then clientId, become its delta and each update's fate. */
    @FunctionalInterface
    public interface Aggregation {
        RoundAggregation.Outcome aggregate(List<ClientUpdate> sorted, RoundInput input);
    }

    /** The plain server step: the model's cap, anomaly policy, clipping and rule ({@link RoundAggregation#run}). */
    public static final Aggregation PLAIN = (sorted, input) -> RoundAggregation.run(sorted, input.currentWeights(), input.settings());

    private final Aggregation aggregation;
    private final boolean reportScores;

    /** The plain step, reporting each update's anomaly scores. */
    public ServerRound() {
        this(PLAIN, true);
    }

    /**
     * @param aggregation how the sorted updates are aggregated
     * @param reportScores whether each update's anomaly scores and clip factor go into the report
     *     (not under central DP: they are un-noised facts about single clients)
     */
    public ServerRound(Aggregation aggregation, boolean reportScores) {
        this.aggregation = aggregation;
        this.reportScores = reportScores;
    }

    /** This step with another aggregation and score reporting (what a decorator such as {@link CentralDpStep} changes). */
    public ServerRound withAggregation(Aggregation other, boolean scores) {
        return new ServerRound(other, scores);
    }

    /** @throws IllegalArgumentException when a scaffold model's aggregated update has no control delta */
    @Override
    public ClosedRound close(RoundInput input) {
        AggregationSettings settings = input.settings();
        DriftSettings drift = settings.drift();
        GlobalModel current = input.current();
        ModelWeights currentWeights = input.currentWeights();
        OptimizerState stateBefore = input.optimizerStateBefore();
        List<ClientUpdate> sorted = inAggregationOrder(input.updates());
        RoundAggregation.Outcome outcome = aggregation.aggregate(sorted, input);
        Map<String, RoundAggregation.UpdateOutcome> byId = RoundAggregation.byUpdateId(outcome);
        List<ClientUpdate> aggregated = sorted.stream()
                .filter(u -> byId.get(u.updateId()).decision() != Decision.REJECT).toList();

        ModelWeights next;
        OptimizerState stateAfter = stateBefore;
        if (drift.serverOptimizer() instanceof ServerOptimizer.FedAvg) {
            next = currentWeights.plusScaled(outcome.delta(), (float) drift.serverLearningRate());
        } else if (aggregated.isEmpty()) {
            next = currentWeights;
        } else {
            ServerStep step = drift.serverOptimizer().step(currentWeights, outcome.delta(), stateBefore);
            next = step.weights();
            stateAfter = step.state();
        }
        ModelWeights control = null;
        if (drift.scaffold()) {
            control = nextControl(current, currentWeights, drift, aggregated, input.controlDeltas());
        }
        GlobalModel model = ModelVersions.nextVersion(current, input.spec(), next, outcome.ruleApplied(),
                aggregated.stream().map(ClientUpdate::updateId).toList(), input.now(), control);
        AggregationReport report = ReportBuilder.roundClosed(input, outcome, aggregated, reportScores);
        return new ClosedRound(model, report, outcome, null, stateAfter);
    }

    /** The updates in the order the rule sees them: by updateId, then clientId. */
    static List<ClientUpdate> inAggregationOrder(List<ClientUpdate> updates) {
        List<ClientUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        return sorted;
    }

    /** SCAFFOLD's {@code c + (1/N) sum Δc_i} over the aggregated updates (Algorithm 1, line 17). */
    private static ModelWeights nextControl(GlobalModel current, ModelWeights currentWeights, DriftSettings drift,
            List<ClientUpdate> aggregated, Map<String, ModelWeights> controlDeltas) {
        ModelWeights c = current.getControl().isEmpty() ? ScaffoldServer.initialControl(currentWeights)
                : TensorRecords.fromRecords(current.getControl());
        if (aggregated.isEmpty()) {
            return c;
        }
        List<ScaffoldUpdate> updates = new ArrayList<>(aggregated.size());
        for (ClientUpdate u : aggregated) {
            ModelWeights dc = controlDeltas.get(u.updateId());
            if (dc == null) {
                throw new IllegalArgumentException("SCAFFOLD: update " + u.updateId() + " carries no control delta");
            }
            updates.add(new ScaffoldUpdate(u.updateId(), u.delta(), dc));
        }
        // N >= |S| always holds for a sync round (|S| <= clientsPerRound <= N); the max guards a
        // round that filled up before a spec lowered clientsPerRound. Only c is taken: x follows the rule.
        int n = Math.max(drift.scaffoldClients(), updates.size());
        return ScaffoldServer.step(currentWeights, c, updates, n, 1.0).control();
    }
}
