package io.floe.core.settings;

import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.ServerOptimizer;

/**
 * A model's remedies against client drift on non-IID data: the algorithm the clients and server
 * run (fedavg, FedProx of Li et al. 2020, SCAFFOLD of Karimireddy et al. 2020, FedNova of Wang et
 * al. 2020) and the server optimizer that turns the round's delta into the next model (FedAvg's
 * {@code w + eta_g Δ}, FedAvgM, or the adaptive optimizers of Reddi et al., ICLR 2021).
 *
 * @param serverLearningRate the effective eta_g of the fedavg server step, whether it came from
 *     {@code serverLearningRate} or from {@code serverOptimizer fedavg:eta=E}; 1 for the other
 *     optimizers, which carry their own eta
 * @param scaffoldClients SCAFFOLD's N (totalClients, or clientsPerRound when that is 0)
 */
public record DriftSettings(DriftAlgorithm algorithm, ServerOptimizer serverOptimizer, double serverLearningRate,
        int scaffoldClients) {

    /** Whether the server keeps SCAFFOLD's control variate c. */
    public boolean scaffold() {
        return algorithm.kind() == DriftAlgorithm.Kind.SCAFFOLD;
    }
}
