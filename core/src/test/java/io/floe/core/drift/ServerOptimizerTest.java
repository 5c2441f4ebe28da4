package io.floe.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerOptimizerTest {

    private static ModelWeights w(float... v) {
        return new ModelWeights(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static float[] values(ModelWeights m) {
        return m.tensors().get(0).values();
    }

    private static float[] moment(ServerStep s, String name) {
        return s.state().asWeights().get(name).values();
    }

    @Test
    void fedAvgAddsEtaTimesDeltaAndKeepsNoState() {
        ServerOptimizer opt = new ServerOptimizer.FedAvg(0.5);
        ServerStep s = opt.step(w(1f, 2f), w(2f, -4f), opt.initialState(w(1f, 2f)));
        // (1, 2) + 0.5 * (2, -4) = (2, 0)
        assertThat(values(s.weights())).containsExactly(2f, 0f);
        assertThat(s.state().asWeights().tensorCount()).isZero();
    }

    @Test
    void fedAvgMAccumulatesHeavyBallMomentum() {
        ServerOptimizer opt = new ServerOptimizer.FedAvgM(1.0, 0.9);
        ModelWeights x = w(0f);
        OptimizerState st = opt.initialState(x);
        // round 1: m = 0.9*0 + 1 = 1,      x = 0 + 1 = 1
        ServerStep s1 = opt.step(x, w(1f), st);
        // round 2: m = 0.9*1 + 1 = 1.9,    x = 1 + 1.9 = 2.9
        ServerStep s2 = opt.step(s1.weights(), w(1f), s1.state());
        // round 3: m = 0.9*1.9 + 0 = 1.71, x = 2.9 + 1.71 = 4.61
        ServerStep s3 = opt.step(s2.weights(), w(0f), s2.state());
        assertThat(values(s1.weights())[0]).isCloseTo(1f, within(1e-6f));
        assertThat(values(s2.weights())[0]).isCloseTo(2.9f, within(1e-6f));
        assertThat(values(s3.weights())[0]).isCloseTo(4.61f, within(1e-5f));
        assertThat(moment(s3, "m/w")[0]).isCloseTo(1.71f, within(1e-6f));
    }

    @Test
    void fedAvgMWithZeroMomentumIsFedAvg() {
        ServerOptimizer m = new ServerOptimizer.FedAvgM(0.7, 0.0);
        ServerOptimizer a = new ServerOptimizer.FedAvg(0.7);
        ModelWeights x = w(0.3f, -1.1f, 5f);
        ModelWeights d = w(0.01f, 2.5f, -3f);
        assertThat(m.step(x, d, m.initialState(x)).weights()).isEqualTo(a.step(x, d, a.initialState(x)).weights());
    }

    @Test
    void adaptiveInitialStateIsZeroMomentAndTauSquared() {
        ServerOptimizer opt = new ServerOptimizer.FedAdam(0.1, 0.9, 0.99, 0.5);
        ModelWeights st = opt.initialState(w(3f, 4f)).asWeights();
        // Reddi et al., Algorithm 2: m_{-1} = 0, v_{-1} = tau^2 = 0.25
        assertThat(st.tensors()).extracting(Tensor::name).containsExactly("m/w", "v/w");
        assertThat(st.get("m/w").values()).containsExactly(0f, 0f);
        assertThat(st.get("v/w").values()).containsExactly(0.25f, 0.25f);
    }

    @Test
    void fedAdagradMatchesAlgorithm2ByHand() {
        // eta = 1, beta1 = 0.5, tau = 0.5 (v_{-1} = 0.25), Delta = 1.2 twice
        ServerOptimizer opt = new ServerOptimizer.FedAdagrad(1.0, 0.5, 0.5);
        ModelWeights x = w(0f);
        // round 1: m = 0.5*1.2 = 0.6, v = 0.25 + 1.44 = 1.69, x = 0 + 0.6/(1.3 + 0.5) = 1/3
        ServerStep s1 = opt.step(x, w(1.2f), opt.initialState(x));
        // round 2: m = 0.5*0.6 + 0.6 = 0.9, v = 1.69 + 1.44 = 3.13,
        //          x = 1/3 + 0.9/(sqrt(3.13) + 0.5) = 1/3 + 0.9/2.26918 = 0.729952
        ServerStep s2 = opt.step(s1.weights(), w(1.2f), s1.state());
        assertThat(values(s1.weights())[0]).isCloseTo(1f / 3, within(1e-6f));
        assertThat(moment(s1, "v/w")[0]).isCloseTo(1.69f, within(1e-6f));
        assertThat(values(s2.weights())[0]).isCloseTo(0.729952f, within(1e-6f));
        assertThat(moment(s2, "m/w")[0]).isCloseTo(0.9f, within(1e-6f));
        assertThat(moment(s2, "v/w")[0]).isCloseTo(3.13f, within(1e-6f));
    }

    @Test
    void fedAdamMatchesAlgorithm2ByHand() {
        // eta = 1, beta1 = 0.5, beta2 = 0.5, tau = 1 (v_{-1} = 1), x = (0, 0)
        ServerOptimizer opt = new ServerOptimizer.FedAdam(1.0, 0.5, 0.5, 1.0);
        ModelWeights x = w(0f, 0f);
        // round 1, Delta = (1, 0): m = (0.5, 0), v = 0.5*1 + 0.5*(1, 0) = (1, 0.5),
        //          x = (0.5/(1 + 1), 0) = (0.25, 0)
        ServerStep s1 = opt.step(x, w(1f, 0f), opt.initialState(x));
        // round 2, Delta = (-1, 0): m = (0.25 - 0.5, 0) = (-0.25, 0), v = (0.5 + 0.5, 0.25) = (1, 0.25),
        //          x = (0.25 - 0.25/2, 0) = (0.125, 0)
        ServerStep s2 = opt.step(s1.weights(), w(-1f, 0f), s1.state());
        assertThat(values(s1.weights())).containsExactly(0.25f, 0f);
        assertThat(moment(s1, "v/w")).containsExactly(1f, 0.5f);
        assertThat(values(s2.weights())).containsExactly(0.125f, 0f);
        assertThat(moment(s2, "m/w")).containsExactly(-0.25f, 0f);
        assertThat(moment(s2, "v/w")).containsExactly(1f, 0.25f);
    }

    @Test
    void fedYogiMovesVAdditivelyBySign() {
        // eta = 1, beta1 = 0.5, beta2 = 0.5, tau = 1 (v_{-1} = 1), Delta = (1, 4, 0.5)
        ServerOptimizer opt = new ServerOptimizer.FedYogi(1.0, 0.5, 0.5, 1.0);
        ModelWeights x = w(0f, 0f, 0f);
        ServerStep s = opt.step(x, w(1f, 4f, 0.5f), opt.initialState(x));
        // v - Delta^2 = (0, -15, 0.75), sign (0, -1, +1)
        // v = (1 - 0, 1 + 0.5*16, 1 - 0.5*0.25) = (1, 9, 0.875)
        // m = 0.5 * Delta = (0.5, 2, 0.25)
        // x = (0.5/(1+1), 2/(3+1), 0.25/(sqrt(0.875)+1)) = (0.25, 0.5, 0.129171)
        assertThat(moment(s, "v/w")).containsExactly(1f, 9f, 0.875f);
        float[] r = values(s.weights());
        assertThat(r[0]).isEqualTo(0.25f);
        assertThat(r[1]).isEqualTo(0.5f);
        assertThat(r[2]).isCloseTo(0.129171f, within(1e-6f));
    }

    @Test
    void aStoredAndRestoredStateGivesTheSameBits() {
        ServerOptimizer opt = ServerOptimizer.parse("fedyogi");
        ModelWeights x = new ModelWeights(List.of(
                new Tensor("W", new int[] {2, 2}, new float[] {0.1f, -0.2f, 0.3f, 0.4f}),
                new Tensor("b", new int[] {1}, new float[] {1f})));
        ModelWeights d1 = x.scaled(0.01f);
        ModelWeights d2 = x.scaled(-0.03f);
        ServerStep s1 = opt.step(x, d1, opt.initialState(x));
        ServerStep inMemory = opt.step(s1.weights(), d2, s1.state());

        OptimizerState restored = OptimizerState.restore(s1.state().asWeights().copy());
        ServerStep afterRestart = opt.step(s1.weights(), d2, restored);

        assertThat(afterRestart).isEqualTo(inMemory);
        assertThat(restored.asWeights().tensors()).extracting(Tensor::name)
                .containsExactly("m/W", "m/b", "v/W", "v/b");
    }

    @Test
    void stepDoesNotChangeItsInputs() {
        ServerOptimizer opt = new ServerOptimizer.FedAdam(0.1, 0.9, 0.99, 1e-3);
        ModelWeights x = w(1f, 2f);
        ModelWeights d = w(0.5f, -0.5f);
        OptimizerState st = opt.initialState(x);
        ModelWeights stBefore = st.asWeights().copy();
        opt.step(x, d, st);
        assertThat(x).isEqualTo(w(1f, 2f));
        assertThat(d).isEqualTo(w(0.5f, -0.5f));
        assertThat(st.asWeights()).isEqualTo(stBefore);
    }

    @Test
    void rejectsAStateOfAnotherOptimizerOrModel() {
        ModelWeights x = w(1f);
        OptimizerState momentumOnly = new ServerOptimizer.FedAvgM(1, 0.9).initialState(x);
        ServerOptimizer adam = new ServerOptimizer.FedAdam(0.1, 0.9, 0.99, 1e-3);
        assertThatThrownBy(() -> adam.step(x, w(1f), momentumOnly))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fedadam expects 2 state tensors but the state holds 1");

        OptimizerState otherModel = adam.initialState(w(1f, 2f));
        assertThatThrownBy(() -> adam.step(x, w(1f), otherModel))
                .hasMessageContaining("state tensor 'm/w' has shape [2] but parameter 'w' has [1]");

        assertThatThrownBy(() -> new ServerOptimizer.FedAvg(1).step(x, w(1f), otherModel))
                .hasMessageContaining("fedavg expects 0 state tensors");
    }

    @Test
    void rejectsMismatchedOrNonFiniteDeltas() {
        ServerOptimizer opt = new ServerOptimizer.FedAvg(1);
        assertThatThrownBy(() -> opt.step(w(1f), w(1f, 2f), OptimizerState.empty()))
                .hasMessageContaining("fedavg: the delta's layout [w[2]] differs from the model's [w[1]]");
        assertThatThrownBy(() -> opt.step(w(1f), w(Float.NaN), OptimizerState.empty()))
                .hasMessageContaining("delta tensor 'w' holds NaN or infinity");
    }

    @Test
    void restoreRejectsTensorsThatAreNotMoments() {
        assertThatThrownBy(() -> OptimizerState.restore(w(1f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("optimizer state tensor 'w' is neither 'm/<name>' nor 'v/<name>'");
    }

    @Test
    void parsesEveryOptimizerWithDefaultsAndOptions() {
        assertThat(ServerOptimizer.parse("fedavg")).isEqualTo(new ServerOptimizer.FedAvg(1.0));
        assertThat(ServerOptimizer.parse("fedavgm:eta=1,beta=0.9")).isEqualTo(new ServerOptimizer.FedAvgM(1.0, 0.9));
        assertThat(ServerOptimizer.parse("fedadagrad")).isEqualTo(new ServerOptimizer.FedAdagrad(0.1, 0.0, 1e-9));
        assertThat(ServerOptimizer.parse("fedadam")).isEqualTo(new ServerOptimizer.FedAdam(0.1, 0.9, 0.99, 1e-9));
        assertThat(ServerOptimizer.parse("fedyogi")).isEqualTo(new ServerOptimizer.FedYogi(0.01, 0.9, 0.99, 1e-3));
        assertThat(ServerOptimizer.parse(" FedAdam:eta=0.01, beta1=0.9 ,beta2=0.99,tau=1e-3 "))
                .isEqualTo(new ServerOptimizer.FedAdam(0.01, 0.9, 0.99, 1e-3));
    }

    @Test
    void parseErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> ServerOptimizer.parse("fedsgd"))
                .hasMessage("unknown server optimizer 'fedsgd'; use fedavg, fedavgm, fedadagrad, fedadam or fedyogi, "
                        + "optionally with :key=value,...");
        assertThatThrownBy(() -> ServerOptimizer.parse("fedadagrad:beta2=0.9"))
                .hasMessageContaining("unknown option 'beta2' for fedadagrad")
                .hasMessageContaining("allowed: eta, beta1, tau");
        assertThatThrownBy(() -> ServerOptimizer.parse("fedadam:beta1=1"))
                .hasMessage("fedadam needs beta1 in [0, 1), was 1.0");
        assertThatThrownBy(() -> ServerOptimizer.parse("fedyogi:tau=0"))
                .hasMessage("fedyogi needs tau > 0, was 0.0");
        assertThatThrownBy(() -> ServerOptimizer.parse("fedavg:eta=fast"))
                .hasMessageContaining("option 'eta=fast' in 'fedavg:eta=fast' is not a number");
        assertThatThrownBy(() -> ServerOptimizer.parse("fedavgm:beta"))
                .hasMessageContaining("option 'beta' in 'fedavgm:beta' is not key=value");
        assertThatThrownBy(() -> ServerOptimizer.parse("  "))
                .hasMessage("server optimizer spec is empty");
    }
}
