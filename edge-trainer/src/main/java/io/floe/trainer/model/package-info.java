/**
 * The local model a site trains: an {@link io.floe.core.spec.Architecture} names the
 * parameter tensors that travel over the wire, and a {@link io.floe.trainer.model.LocalModel}
 * runs forward and backward passes on nd4j, trained by mini-batch SGD:
 * {@link io.floe.trainer.model.DenseNetwork} for {@code logreg}/{@code mlp} (sigmoid for one
 * output, softmax for {@code K >= 2}), {@link io.floe.trainer.model.ConvNetwork} for NIID-Bench's
 * {@code cnn}. {@link io.floe.trainer.model.LocalModels#create} picks the class.
 *
 * <p>Call order for one federated round at a site:
 * <ol>
 *   <li>{@code model.setWeights(global)} with the weights the coordinator broadcast;</li>
 *   <li>{@code model.train(localData, config)};</li>
 *   <li>{@code model.weights().minus(global)}: the delta sent back with the example count and the
 *       number of local steps.</li>
 * </ol>
 * The {@link io.floe.trainer.model.TrainingConfig} carries the local optimizer: learning rate,
 * epochs, batch size, heavy-ball momentum and a {@link io.floe.trainer.model.GradientCorrection}
 * applied to every mini-batch gradient: FedProx's {@link io.floe.trainer.model.ProximalCorrection}
 * or SCAFFOLD's {@link io.floe.trainer.model.ControlVariateCorrection}.
 * With DP-SGD the second step is {@code network.train(localData, config, dpSgd)} on a
 * {@link io.floe.trainer.model.DenseNetwork}: a {@link io.floe.trainer.model.DpSgd} holds the
 * mechanism (clip norm, noise multiplier, expected batch size); what it costs in privacy is
 * accounted in {@code io.floe.trainer.privacy}. A cnn refuses DP-SGD.
 * Weights are exchanged as {@link io.floe.core.tensor.ModelWeights}, never as nd4j arrays, so the
 * coordinator does not need nd4j.
 */
package io.floe.trainer.model;

import io.floe.core.spec.Architecture;
