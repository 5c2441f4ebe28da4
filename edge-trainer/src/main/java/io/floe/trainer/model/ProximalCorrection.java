package io.floe.trainer.model;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * FedProx's proximal term, Li et al. 2020, "Federated Optimization in Heterogeneous Networks"
 * (MLSys), eq. 2: a site minimises {@code F_k(w) + mu/2 ||w - w_global||^2}, so each mini-batch
 * gradient gets {@code mu (w - w_global)} added. It pulls the local model back towards the
 * round's global model and so bounds client drift on non-IID data; {@code mu = 0} is FedAvg.
 *
 * <p>{@code
 * TrainingConfig cfg = base.withCorrection(new ProximalCorrection(global, 0.01));
 * }
 */
public final class ProximalCorrection implements GradientCorrection {
    private final double mu;
    /** {@code -mu * w_global}, flat per tensor, so a step is two in-place axpys and no allocation. */
    private final INDArray[] scaledGlobal;

    /**
     * @param global the round's global model, the centre of the proximal term
     * @param mu the proximal weight, {@code >= 0} and finite
     */
    public ProximalCorrection(ModelWeights global, double mu) {
        Objects.requireNonNull(global, "global");
        if (!(mu >= 0.0) || Double.isInfinite(mu)) {
            throw new IllegalArgumentException("FedProx mu must be >= 0 and finite, got " + mu);
        }
        this.mu = mu;
        List<Tensor> tensors = global.tensors();
        this.scaledGlobal = new INDArray[tensors.size()];
        for (int t = 0; t < scaledGlobal.length; t++) {
            float[] v = tensors.get(t).values();
            scaledGlobal[t] = Nd4j.create(v, new long[] {v.length}, DataType.FLOAT).muli(-mu);
        }
    }

    public double mu() {
        return mu;
    }

    /** {@code g += mu (w - w_global)}. */
    @Override
    public void correct(INDArray[] params, INDArray[] grads) {
        GradientCorrection.requireLayout("the proximal term's global model", scaledGlobal, grads);
        if (mu == 0.0) {
            return;
        }
        for (int t = 0; t < grads.length; t++) {
            INDArray centre = scaledGlobal[t].dataType() == grads[t].dataType()
                    ? scaledGlobal[t] : scaledGlobal[t].castTo(grads[t].dataType());
            Nd4j.getBlasWrapper().axpy(mu, params[t], grads[t]);
            grads[t].addi(centre);
        }
    }
}
