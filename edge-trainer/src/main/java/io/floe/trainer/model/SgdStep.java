package io.floe.trainer.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One local SGD step over a model's flat parameter and gradient views, as a {@link TrainingConfig}
 * asks: the {@link GradientCorrection} first (or, for SCAFFOLD's, after the step), then heavy-ball momentum as PyTorch's {@code SGD}
 * defines it ({@code v = mu v + g; w -= lr v}; Sutskever et al. 2013, "On the importance of
 * initialization and momentum in deep learning", eq. 1 with the learning rate moved out of
 * {@code v}), all in place. Made once per {@code train} call, so the velocity starts at zero every
 * round; with {@code mu = 0} it allocates nothing and is the plain {@code w -= lr g} axpy.
 */
final class SgdStep {
    private final INDArray[] params;
    private final INDArray[] grads;
    private final INDArray[] velocity;
    private final double learningRate;
    private final double momentum;
    private final GradientCorrection correction;

    SgdStep(INDArray[] params, INDArray[] grads, TrainingConfig cfg) {
        this.params = params;
        this.grads = grads;
        this.learningRate = cfg.learningRate();
        this.momentum = cfg.momentum();
        this.correction = cfg.correction();
        this.velocity = momentum == 0.0 ? null : new INDArray[grads.length];
        if (velocity != null) {
            for (int t = 0; t < grads.length; t++) {
                velocity[t] = grads[t].ulike().assign(0);
            }
        }
    }

    /**
     * Corrects the gradients in place, then moves the parameters; a correction that
     * {@linkplain GradientCorrection#afterStep() acts after the step} is instead computed into a
     * scratch buffer and applied as {@code w -= lr * corr} once momentum has moved w.
     */
    void apply() {
        boolean after = correction != GradientCorrection.NONE && correction.afterStep();
        if (correction != GradientCorrection.NONE && !after) {
            correction.correct(params, grads);
        }
        for (int t = 0; t < params.length; t++) {
            INDArray direction = grads[t];
            if (velocity != null) {
                direction = velocity[t].muli(momentum).addi(grads[t]);
            }
            step(params[t], direction);
        }
        if (after) {
            if (scratch == null) {
                scratch = new INDArray[grads.length];
                for (int t = 0; t < grads.length; t++) {
                    scratch[t] = grads[t].ulike();
                }
            }
            for (INDArray z : scratch) {
                z.assign(0);
            }
            correction.correct(params, scratch);
            for (int t = 0; t < params.length; t++) {
                step(params[t], scratch[t]);
            }
        }
    }

    /** w += -lr * direction, in place. */
    private void step(INDArray w, INDArray direction) {
        if (w.dataType() == DataType.FLOAT) {
            Nd4j.getBlasWrapper().axpy((float) -learningRate, direction, w);
        } else {
            Nd4j.getBlasWrapper().axpy(-learningRate, direction, w);
        }
    }

    /** The after-step correction's buffers, made on first use. */
    private INDArray[] scratch;
}
