package io.floe.deploy.local;

import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;

/**
 * One federated run on the hospitals scenario.
 *
 * @param modelId the model id (runs sharing one job need distinct ids)
 * @param architecture model descriptor, e.g. mlp(30,16,1)
 * @param seed seeds initial weights and local shuffling
 * @param rounds global versions to train after version 0
 * @param aggregation the server's aggregation config (rule, clipping, anomaly policy; clientsPerRound = hospitals)
 * @param training the client training config
 * @param attack attack name (see io.floe.trainer.attack.Attack), or {@code none}
 * @param byzantine how many hospitals attack (the first ones)
 */
public record RunSettings(String modelId, String architecture, long seed, int rounds, AggregationConfig aggregation,
        ClientTrainingConfig training, String attack, int byzantine) {

    public boolean attacked() {
        return byzantine > 0 && !"none".equals(attack);
    }
}
