package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.trainer.data.Dataset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Momentum and the gradient corrections of FedProx and SCAFFOLD, on logreg(2) and one row, by hand. */
class LocalSgdTest {
    /** One row x = (1, 2) with label 1: a batch of one, so every epoch is one step. */
    private static final Dataset ONE_ROW = new Dataset(new float[][] {{1f, 2f}}, new int[] {1});
    private static final Architecture LOGREG = Architecture.logisticRegression(2);

    @Test
    void momentumAccumulatesTheVelocityAsPyTorchSgd() {
        // Prepare: w = 0, lr = 0.1, mu = 0.9, two steps
        DenseNetwork net = new DenseNetwork(LOGREG, LOGREG.zeroWeights());
        TrainingConfig cfg = new TrainingConfig(0.1, 2, 1, 0L).withMomentum(0.9);

        // Execute
        TrainingResult r = net.train(ONE_ROW, cfg);

        // Assert. Step 1: z = 0, p = 0.5, g = (p - 1)(x, 1) = (-0.5, -1, -0.5); v = g;
        //   w = -0.1 v = (0.05, 0.1), b = 0.05.
        // Step 2: z = 0.05 + 0.2 + 0.05 = 0.3, p = sigmoid(0.3) = 0.5744425168, p - 1 = -0.4255574832,
        //   g = (-0.4255575, -0.8511150, -0.4255575); v = 0.9 (-0.5, -1, -0.5) + g = (-0.8755575, -1.7511150, -0.8755575);
        //   w = (0.05, 0.1) - 0.1 v = (0.1375557, 0.2751115), b = 0.1375557.
        assertThat(r.steps()).isEqualTo(2);
        assertThat(net.weights().get("dense0.W").values()).containsExactly(new float[] {0.1375557f, 0.2751115f},
                within(1e-6f));
        assertThat(net.weights().get("dense0.b").values()).containsExactly(new float[] {0.1375557f}, within(1e-6f));
    }

    @Test
    void zeroMomentumIsPlainSgd() {
        DenseNetwork a = new DenseNetwork(LOGREG, LOGREG.zeroWeights());
        DenseNetwork b = new DenseNetwork(LOGREG, LOGREG.zeroWeights());

        a.train(ONE_ROW, new TrainingConfig(0.1, 3, 1, 0L));
        b.train(ONE_ROW, new TrainingConfig(0.1, 3, 1, 0L).withMomentum(0.0).withCorrection(GradientCorrection.NONE));

        assertThat(b.weights()).isEqualTo(a.weights());
    }

    @Test
    void proximalTermPullsTowardsTheGlobalModel() {
        // Prepare: w = (1, -1), b = 0.5, w_global = 0, mu = 0.5, lr = 0.1, one step
        ModelWeights start = logreg(1f, -1f, 0.5f);
        DenseNetwork net = new DenseNetwork(LOGREG, start);
        TrainingConfig cfg = new TrainingConfig(0.1, 1, 1, 0L)
                .withCorrection(new ProximalCorrection(LOGREG.zeroWeights(), 0.5));

        // Execute
        net.train(ONE_ROW, cfg);

        // Assert: z = 1 - 2 + 0.5 = -0.5, p = sigmoid(-0.5) = 0.3775406688, p - 1 = -0.6224593312,
        //   g = (-0.6224593, -1.2449187, -0.6224593); + mu (w - w_global) = (0.5, -0.5, 0.25)
        //   -> (-0.1224593, -1.7449187, -0.3724593); w - 0.1 g = (1.0122459, -0.8255081), b = 0.5372459
        assertThat(net.weights().get("dense0.W").values()).containsExactly(new float[] {1.0122459f, -0.8255081f},
                within(1e-6f));
        assertThat(net.weights().get("dense0.b").values()).containsExactly(new float[] {0.5372459f}, within(1e-6f));
    }

    @Test
    void controlVariatesShiftEveryGradientByCMinusCi() {
        // Prepare: w = 0, c = (0.2, -0.4; 0.1), c_i = (0.1, 0.1; -0.1), lr = 0.1, one step
        DenseNetwork net = new DenseNetwork(LOGREG, LOGREG.zeroWeights());
        GradientCorrection scaffold = new ControlVariateCorrection(logreg(0.2f, -0.4f, 0.1f), logreg(0.1f, 0.1f, -0.1f));

        // Execute
        net.train(ONE_ROW, new TrainingConfig(0.1, 1, 1, 0L).withCorrection(scaffold));

        // Assert: g = (-0.5, -1, -0.5); + c - c_i = (0.1, -0.5, 0.2) -> (-0.4, -1.5, -0.3);
        //   w = -0.1 g = (0.04, 0.15), b = 0.03
        assertThat(net.weights().get("dense0.W").values()).containsExactly(new float[] {0.04f, 0.15f}, within(1e-7f));
        assertThat(net.weights().get("dense0.b").values()).containsExactly(new float[] {0.03f}, within(1e-7f));
    }

    @Test
    void withMomentumTheControlVariateTermIsAStepOfItsOwnOutsideTheVelocity() {
        // Prepare: w = 0, c - c_i = (0.1, -0.5; 0.2) as above, lr = 0.1, mu = 0.9, two steps.
        DenseNetwork net = new DenseNetwork(LOGREG, LOGREG.zeroWeights());
        GradientCorrection scaffold = new ControlVariateCorrection(logreg(0.2f, -0.4f, 0.1f), logreg(0.1f, 0.1f, -0.1f));

        // Execute
        net.train(ONE_ROW, new TrainingConfig(0.1, 2, 1, 0L).withMomentum(0.9).withCorrection(scaffold));

        // Assert (NIID-Bench / Flower: momentum step on g, then w -= lr (c - c_i)):
        // Step 1: g = (-0.5, -1, -0.5), v = g, w = -0.1 v - 0.1 (0.1, -0.5, 0.2) = (0.04, 0.15; 0.03).
        // Step 2: z = 0.04 + 0.30 + 0.03 = 0.37, p = sigmoid(0.37) = 0.5914589784, p - 1 = -0.4085410216,
        //   g = (-0.4085410, -0.8170820, -0.4085410); v = 0.9 (-0.5, -1, -0.5) + g = (-0.8585410, -1.7170820, -0.8585410);
        //   w = (0.04, 0.15; 0.03) - 0.1 v - 0.1 (0.1, -0.5, 0.2) = (0.1158541, 0.3717082; 0.0958541).
        // (Inside the velocity the correction would compound: step 2 would move by 1.9 (c - c_i) lr.)
        assertThat(net.weights().get("dense0.W").values()).containsExactly(new float[] {0.1158541f, 0.3717082f},
                within(1e-6f));
        assertThat(net.weights().get("dense0.b").values()).containsExactly(new float[] {0.0958541f}, within(1e-6f));
    }

    @Test
    void correctionsRefuseAnotherArchitecture() {
        DenseNetwork net = new DenseNetwork(LOGREG, LOGREG.zeroWeights());
        TrainingConfig cfg = TrainingConfig.defaults()
                .withCorrection(new ProximalCorrection(Architecture.mlp(2, 3, 1).zeroWeights(), 0.1));

        assertThatThrownBy(() -> net.train(ONE_ROW, cfg)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 4 tensors but the model has 2");
        assertThatThrownBy(() -> new ControlVariateCorrection(LOGREG.zeroWeights(), Architecture.mlp(3, 1).zeroWeights()))
                .hasMessageContaining("differ in layout");
        assertThatThrownBy(() -> TrainingConfig.defaults().withMomentum(1.0)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new ProximalCorrection(LOGREG.zeroWeights(), -1)).hasMessageContaining("mu");
    }

    private static ModelWeights logreg(float w0, float w1, float b) {
        return new ModelWeights(List.of(new Tensor("dense0.W", new int[] {2, 1}, new float[] {w0, w1}),
                new Tensor("dense0.b", new int[] {1}, new float[] {b})));
    }
}
