package io.floe.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaffoldTest {

    private static ModelWeights w(float... v) {
        return new ModelWeights(List.of(new Tensor("w", new int[] {v.length}, v)));
    }

    private static float[] values(ModelWeights m) {
        return m.tensors().get(0).values();
    }

    @Test
    void serverMovesXByTheMeanDeltaAndCByItsShareOfClients() {
        // |S| = 2 of N = 4, eta_g = 0.5
        // mean Delta y = ((2, 0) + (0, 4))/2 = (1, 2);   x = (1, 2) + 0.5*(1, 2) = (1.5, 3)
        // mean Delta c = ((1, 1) + (3, -1))/2 = (2, 0);  c = (0.5, -0.5) + (2/4)*(2, 0) = (1.5, -0.5)
        ScaffoldServer.Step s = ScaffoldServer.step(w(1f, 2f), w(0.5f, -0.5f), List.of(
                new ScaffoldUpdate("b", w(0f, 4f), w(3f, -1f)),
                new ScaffoldUpdate("a", w(2f, 0f), w(1f, 1f))), 4, 0.5);
        assertThat(values(s.weights())).containsExactly(1.5f, 3f);
        assertThat(values(s.control())).containsExactly(1.5f, -0.5f);
    }

    @Test
    void clientControlUpdateOptionTwo() {
        // K = 4, eta_l = 0.05 -> K eta_l = 0.2; (x - y)/0.2 = ((1 - 0.8)/0.2, (1 - 1.4)/0.2) = (1, -2)
        // c_i+ = c_i - c + (1, -2) = (0.1 - 0.3 + 1, 0 - 0.2 - 2) = (0.8, -2.2)
        // Delta c_i = c_i+ - c_i = (0.7, -2.2)
        ScaffoldClient.ControlUpdate u = ScaffoldClient.controlUpdate(w(0.1f, 0f), w(0.3f, 0.2f), w(1f, 1f),
                w(0.8f, 1.4f), 4, 0.05);
        assertThat(values(u.control())[0]).isCloseTo(0.8f, within(1e-6f));
        assertThat(values(u.control())[1]).isCloseTo(-2.2f, within(1e-6f));
        assertThat(values(u.controlDelta())[0]).isCloseTo(0.7f, within(1e-6f));
        assertThat(values(u.controlDelta())[1]).isCloseTo(-2.2f, within(1e-6f));
    }

    @Test
    void withEveryClientSampledTheServerControlStaysTheMeanOfTheClientControls() {
        // Algorithm 1 keeps c = (1/N) sum_i c_i; start from all zeros, N = |S| = 2
        ModelWeights x = w(1f, -1f);
        ModelWeights c = ScaffoldServer.initialControl(x);
        ModelWeights c1 = ScaffoldServer.initialControl(x);
        ModelWeights c2 = ScaffoldServer.initialControl(x);
        ModelWeights y1 = w(0.5f, -0.75f);
        ModelWeights y2 = w(1.25f, -2f);
        ScaffoldClient.ControlUpdate u1 = ScaffoldClient.controlUpdate(c1, c, x, y1, 5, 0.1);
        ScaffoldClient.ControlUpdate u2 = ScaffoldClient.controlUpdate(c2, c, x, y2, 5, 0.1);
        ScaffoldServer.Step s = ScaffoldServer.step(x, c, List.of(
                new ScaffoldUpdate("1", y1.minus(x), u1.controlDelta()),
                new ScaffoldUpdate("2", y2.minus(x), u2.controlDelta())), 2, 1.0);
        // (x - y)/(K eta_l) = 2 (x - y): c_1+ = (1, -0.5), c_2+ = (-0.5, 2); mean (0.25, 0.75)
        assertThat(values(s.control())).containsExactly(0.25f, 0.75f);
        // eta_g = 1: x + mean(y_i - x) = mean(y_i) = (0.875, -1.375)
        assertThat(values(s.weights())).containsExactly(0.875f, -1.375f);
    }

    @Test
    void arrivalOrderDoesNotChangeTheBits() {
        ScaffoldUpdate a = new ScaffoldUpdate("a", w(0.1f, 1e7f), w(0.3f, 1f));
        ScaffoldUpdate b = new ScaffoldUpdate("b", w(0.2f, -1e7f), w(1e7f, 2f));
        ScaffoldUpdate c = new ScaffoldUpdate("c", w(0.3f, 1f), w(-1e7f, 3f));
        ModelWeights x = w(0f, 0f);
        assertThat(ScaffoldServer.step(x, x, List.of(c, a, b), 10, 1.0))
                .isEqualTo(ScaffoldServer.step(x, x, List.of(a, b, c), 10, 1.0));
    }

    @Test
    void serverRejectsBadArguments() {
        ModelWeights x = w(1f);
        ScaffoldUpdate u = new ScaffoldUpdate("a", w(1f), w(1f));
        assertThatThrownBy(() -> ScaffoldServer.step(x, x, List.of(), 3, 1.0))
                .hasMessage("SCAFFOLD needs at least one client update");
        assertThatThrownBy(() -> ScaffoldServer.step(x, x, List.of(u, new ScaffoldUpdate("b", w(1f), w(1f))), 1, 1.0))
                .hasMessage("SCAFFOLD: totalClients N = 1 is smaller than the 2 sampled clients |S|");
        assertThatThrownBy(() -> ScaffoldServer.step(x, x, List.of(u), 3, 0))
                .hasMessage("SCAFFOLD needs the global learning rate eta_g > 0, was 0.0");
        assertThatThrownBy(() -> ScaffoldServer.step(x, w(1f, 2f), List.of(u), 3, 1.0))
                .hasMessageContaining("control variate [w[2]] differs in layout from the model [w[1]]");
        assertThatThrownBy(() -> new ScaffoldUpdate("a", w(1f), w(1f, 2f)))
                .hasMessageContaining("SCAFFOLD update a: deltaY [w[1]] and deltaC [w[2]] differ in layout");
    }

    @Test
    void clientRejectsBadArguments() {
        ModelWeights x = w(1f);
        assertThatThrownBy(() -> ScaffoldClient.controlUpdate(x, x, x, x, 0, 0.1))
                .hasMessage("SCAFFOLD needs localSteps K >= 1, was 0");
        assertThatThrownBy(() -> ScaffoldClient.controlUpdate(x, x, x, x, 1, -0.1))
                .hasMessage("SCAFFOLD needs the local learning rate eta_l > 0, was -0.1");
        assertThatThrownBy(() -> ScaffoldClient.controlUpdate(x, x, x, w(1f, 2f), 1, 0.1))
                .hasMessageContaining("c_i, c, x and y must share a layout");
    }
}
