/**
 * Server-side algorithms against client drift (issue 6), plain Java; the server step
 * (package {@code server}, above this one) runs them as a model's AggregationConfig selects them:
 * <ul>
 *   <li>{@link io.floe.core.drift.ServerOptimizer}: the server step that turns an aggregated delta
 *       into the next global model: FedAvg, FedAvgM and the adaptive FedAdagrad / FedAdam / FedYogi
 *       of Reddi et al. (ICLR 2021), with their moments kept in an
 *       {@link io.floe.core.drift.OptimizerState} that round-trips through {@code ModelWeights}
 *       (so a Flink job can hold it in keyed state);
 *   <li>{@link io.floe.core.drift.FedNova}: normalised averaging of Wang et al. (NeurIPS 2020);
 *   <li>{@link io.floe.core.drift.ScaffoldServer} and {@link io.floe.core.drift.ScaffoldClient}:
 *       the control-variate updates of SCAFFOLD (Karimireddy et al., ICML 2020);
 *   <li>{@link io.floe.core.drift.DriftAlgorithm}: the per-model choice (fedavg, fedprox, scaffold,
 *       fednova) a ModelSpec or CLI names.
 * </ul>
 * Sums run in double in a fixed order (updateId where updates are involved) and results are
 * rounded to float once, so the same inputs give the same bits.
 */
package io.floe.core.drift;
