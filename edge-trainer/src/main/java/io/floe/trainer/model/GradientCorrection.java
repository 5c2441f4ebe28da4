package io.floe.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A change a local algorithm makes to every mini-batch gradient before the SGD step: FedProx's
 * proximal term ({@link ProximalCorrection}) or SCAFFOLD's control variates
 * ({@link ControlVariateCorrection}).
 *
 * <p>Call order within one step: the model computes the mini-batch gradients (with DP-SGD, the
 * clipped and noised ones), then calls {@link #correct} once, then applies momentum and the step.
 * Both arrays list rank-1 views in {@link io.floe.core.tensor.ModelWeights} tensor order, each of
 * a tensor's length; {@code params} are the current weights and must not be written, {@code grads}
 * are corrected in place. An implementation may keep nd4j buffers and so is used by one training
 * thread at a time.
 */
@FunctionalInterface
public interface GradientCorrection {
    /** Leaves the gradients as they are: plain SGD. */
    GradientCorrection NONE = (params, grads) -> { };

    void correct(INDArray[] params, INDArray[] grads);

    /**
     * True when the correction is a step of its own after the optimizer's step, {@code w -= lr * corr},
     * rather than part of the gradient that momentum accumulates. SCAFFOLD's control-variate term is
     * applied this way by the reference implementations the NIID-Bench figures come from (NIID-Bench's
     * {@code train_net_scaffold}, Flower's {@code ScaffoldOptimizer.step_custom}): with momentum 0.9
     * inside the velocity it would be amplified tenfold. With momentum 0 both are the same step.
     */
    default boolean afterStep() {
        return false;
    }

    /** Throws unless {@code grads} has one array per tensor of {@code expected}, of the same lengths. */
    static void requireLayout(String who, INDArray[] expected, INDArray[] grads) {
        if (expected.length != grads.length) {
            throw new IllegalArgumentException(who + " holds " + expected.length + " tensors but the model has "
                    + grads.length + "; build it from weights of the model's architecture");
        }
        for (int t = 0; t < grads.length; t++) {
            if (expected[t].length() != grads[t].length()) {
                throw new IllegalArgumentException(who + ": tensor " + t + " has " + expected[t].length()
                        + " values but the model's has " + grads[t].length()
                        + "; build it from weights of the model's architecture");
            }
        }
    }
}
