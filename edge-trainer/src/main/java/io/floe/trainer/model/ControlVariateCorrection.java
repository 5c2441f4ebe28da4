package io.floe.trainer.model;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SCAFFOLD's drift correction, Karimireddy et al. 2020, "SCAFFOLD: Stochastic Controlled
 * Averaging for Federated Learning" (ICML), Algorithm 1 line 10: {@code y <- y - lr (g(y) - c_i + c)},
 * i.e. each mini-batch gradient gets {@code c - c_i} added, the server's control variate minus
 * the site's. Updating {@code c_i} after the round (option II of line 12,
 * {@code c_i+ = c_i - c + (x - y) / (K lr)}, with {@code K} the
 * {@link TrainingResult#steps() local steps}) is the caller's job.
 *
 * <p>{@code
 * TrainingConfig cfg = base.withCorrection(new ControlVariateCorrection(serverC, clientC));
 * }
 */
public final class ControlVariateCorrection implements GradientCorrection {
    /** {@code c - c_i}, flat per tensor. */
    private final INDArray[] difference;

    public ControlVariateCorrection(ModelWeights serverControl, ModelWeights clientControl) {
        Objects.requireNonNull(serverControl, "serverControl");
        Objects.requireNonNull(clientControl, "clientControl");
        if (!serverControl.sameLayout(clientControl)) {
            throw new IllegalArgumentException("server control " + serverControl.describe()
                    + " and client control " + clientControl.describe() + " differ in layout");
        }
        this.difference = new INDArray[serverControl.tensors().size()];
        for (int t = 0; t < difference.length; t++) {
            Tensor c = serverControl.tensors().get(t);
            Tensor ci = clientControl.tensors().get(t);
            float[] d = new float[c.values().length];
            for (int k = 0; k < d.length; k++) {
                d[k] = c.values()[k] - ci.values()[k];
            }
            difference[t] = Nd4j.create(d, new long[] {d.length}, DataType.FLOAT);
        }
    }

    /** {@code g += c - c_i}. */
    @Override
    public void correct(INDArray[] params, INDArray[] grads) {
        GradientCorrection.requireLayout("the control variates", difference, grads);
        for (int t = 0; t < grads.length; t++) {
            grads[t].addi(difference[t].dataType() == grads[t].dataType()
                    ? difference[t] : difference[t].castTo(grads[t].dataType()));
        }
    }

    /** Applied after the momentum step, as NIID-Bench and Flower's SCAFFOLD clients do. */
    @Override
    public boolean afterStep() {
        return true;
    }
}
