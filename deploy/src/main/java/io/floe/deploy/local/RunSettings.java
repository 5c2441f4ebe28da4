package io.floe.deploy.local;

import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;

/**
 * One federated run on the hospitals scenario.
 *
 * @param modelId the model id (runs sharing one job need distinct ids)
 * @param architecture model descriptor, e.g. mlp(30,16,1)
 * @param seed seeds initial weights and local shuffling
 * @param rounds global versions to train after version 0 (the run ends at this version, or at
 *     {@code conditions.durationSeconds()} if that comes first)
 * @param aggregation the server's aggregation config (rule, clipping, anomaly policy; clientsPerRound = hospitals)
 * @param training the client training config
 * @param attack attack name (see io.floe.trainer.attack.Attack), or {@code none}
 * @param byzantine how many hospitals attack (the first ones)
 * @param localDp local DP-SGD on every honest trainer, or null
 * @param conditions simulated device latency, stragglers, dropouts and the run's time limit
 */
public record RunSettings(String modelId, String architecture, long seed, int rounds, AggregationConfig aggregation,
        ClientTrainingConfig training, String attack, int byzantine, LocalDp localDp, ClientConditions conditions) {

    public RunSettings {
        conditions = conditions == null ? ClientConditions.NONE : conditions;
    }

    /** On ideal devices. */
    public RunSettings(String modelId, String architecture, long seed, int rounds, AggregationConfig aggregation,
            ClientTrainingConfig training, String attack, int byzantine, LocalDp localDp) {
        this(modelId, architecture, seed, rounds, aggregation, training, attack, byzantine, localDp, ClientConditions.NONE);
    }

    /** Without local DP. */
    public RunSettings(String modelId, String architecture, long seed, int rounds, AggregationConfig aggregation,
            ClientTrainingConfig training, String attack, int byzantine) {
        this(modelId, architecture, seed, rounds, aggregation, training, attack, byzantine, null, ClientConditions.NONE);
    }

    /**
     * Local DP-SGD on each trainer (sample-level DP within a hospital), budgeted for the run's rounds.
     *
     * @param targetEpsilon each trainer's epsilon after all rounds
     * @param clipNorm per-example clip bound
     * @param delta delta
     */
    public record LocalDp(double targetEpsilon, double clipNorm, double delta) {
    }

    public boolean attacked() {
        return byzantine > 0 && !"none".equals(attack);
    }
}
