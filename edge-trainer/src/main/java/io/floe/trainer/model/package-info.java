/**
 * The local model a hospital trains: an {@link io.floe.trainer.model.Architecture} names the
 * parameter tensors that travel over the wire, and a {@link io.floe.trainer.model.DenseNetwork}
 * runs forward and backward passes on nd4j, trained by mini-batch SGD.
 *
 * <p>Call order for one federated round at a site:
 * <ol>
 *   <li>{@code network.setWeights(global)} with the weights the coordinator broadcast;</li>
 *   <li>{@code network.train(localData, config)};</li>
 *   <li>{@code network.weights().minus(global)}: the delta sent back with the example count.</li>
 * </ol>
 * With DP-SGD the second step is {@code network.train(localData, config, dpSgd)}: a
 * {@link io.floe.trainer.model.DpSgd} holds the mechanism (clip norm, noise multiplier, expected
 * batch size); what it costs in privacy is accounted in {@code io.floe.trainer.privacy}.
 * Weights are exchanged as {@link io.floe.core.tensor.ModelWeights}, never as nd4j arrays, so the
 * coordinator does not need nd4j.
 */
package io.floe.trainer.model;
