package io.floe.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.AggregationResult;
import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.FederatedAveraging;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FedNovaTest {

    private static ClientUpdate u(String id, long n, int steps, float... v) {
        return new ClientUpdate(id, "c-" + id, 0, n, steps, new ModelWeights(List.of(new Tensor("w", new int[] {v.length}, v))),
                Map.of());
    }

    private static float[] values(AggregationResult r) {
        return r.delta().tensors().get(0).values();
    }

    @Test
    void normalizingFactorIsTauForSgdAndTheMomentumSumOtherwise() {
        assertThat(FedNova.normalizingFactor(5, 0)).isEqualTo(5.0);
        // rho = 0.9: a = sum_{k=1..tau} (1 - 0.9^k)/0.1 = 1, 1 + 1.9 = 2.9, 2.9 + 2.71 = 5.61
        // closed form tau = 3: (3 - 0.9*(1 - 0.729)/0.1)/0.1 = (3 - 2.439)/0.1 = 5.61
        assertThat(FedNova.normalizingFactor(1, 0.9)).isCloseTo(1.0, within(1e-12));
        assertThat(FedNova.normalizingFactor(2, 0.9)).isCloseTo(2.9, within(1e-12));
        assertThat(FedNova.normalizingFactor(3, 0.9)).isCloseTo(5.61, within(1e-12));
    }

    @Test
    void oneClientGetsItsDeltaBack() {
        // p = 1, a = 3, tau_eff = 3, Delta = 3 * (Delta_1 / 3) = Delta_1
        AggregationResult r = FedNova.aggregate(List.of(u("a", 7, 3, 0.5f, -2f, 4f)), 0);
        assertThat(values(r)).containsExactly(0.5f, -2f, 4f);
        assertThat(r.weights()).containsEntry("a", 1.0);
    }

    @Test
    void twoSgdClientsWithDifferentStepCounts() {
        // n = (1, 3) -> p = (0.25, 0.75); tau = (1, 4) -> a = (1, 4)
        // d_1 = (2, 0, -1), d_2 = (4, 8, 4)/4 = (1, 2, 1)
        // tau_eff = 0.25*1 + 0.75*4 = 3.25
        // sum p d = 0.25*(2, 0, -1) + 0.75*(1, 2, 1) = (1.25, 1.5, 0.5)
        // Delta = 3.25 * (1.25, 1.5, 0.5) = (4.0625, 4.875, 1.625)
        // (FedAvg would give 0.25*(2, 0, -1) + 0.75*(4, 8, 4) = (3.5, 6, 2.75))
        AggregationResult r = FedNova.aggregate(List.of(u("a", 1, 1, 2f, 0f, -1f), u("b", 3, 4, 4f, 8f, 4f)), 0);
        assertThat(values(r)).containsExactly(4.0625f, 4.875f, 1.625f);
        // coefficients tau_eff p_i / a_i = (3.25*0.25/1, 3.25*0.75/4) = (0.8125, 0.609375)
        assertThat(r.weights()).containsEntry("a", 0.8125).containsEntry("b", 0.609375);
    }

    @Test
    void twoMomentumClients() {
        // rho = 0.9, n = (1, 1) -> p = (0.5, 0.5); tau = (1, 3) -> a = (1, 5.61)
        // d_1 = (2, -1), d_2 = (11.22, 5.61)/5.61 = (2, 1); sum p d = (2, 0)
        // tau_eff = 0.5*1 + 0.5*5.61 = 3.305; Delta = (6.61, 0)
        AggregationResult r = FedNova.aggregate(List.of(u("a", 1, 1, 2f, -1f), u("b", 1, 3, 11.22f, 5.61f)), 0.9);
        assertThat(values(r)[0]).isCloseTo(6.61f, within(1e-5f));
        assertThat(values(r)[1]).isCloseTo(0f, within(1e-6f));
    }

    @Test
    void oneMomentumClientGetsItsDeltaBack() {
        // a = 2.9, tau_eff = 2.9, Delta = 2.9 * Delta_1 / 2.9
        AggregationResult r = new FedNova(0.9).aggregate(List.of(u("a", 4, 2, 1.5f)));
        assertThat(values(r)[0]).isCloseTo(1.5f, within(1e-6f));
    }

    @Test
    void equalStepCountsReduceToFedAvg() {
        List<ClientUpdate> round = List.of(u("a", 1, 5, 1f, 2f, 3f), u("b", 2, 5, 0f, -5f, 1f), u("c", 7, 5, 2f, 0f, -1f));
        float[] fedAvg = new FederatedAveraging().aggregate(round).delta().tensors().get(0).values();
        for (double rho : new double[] {0, 0.5, 0.9}) {
            float[] nova = values(FedNova.aggregate(round, rho));
            for (int j = 0; j < fedAvg.length; j++) {
                assertThat(nova[j]).as("rho %s, coordinate %d", rho, j).isCloseTo(fedAvg[j], within(1e-6f));
            }
        }
    }

    @Test
    void arrivalOrderDoesNotChangeTheBits() {
        List<ClientUpdate> a = List.of(u("x", 3, 2, 0.1f, 1e7f), u("y", 1, 7, 0.2f, -1e7f), u("z", 5, 3, 0.3f, 1f));
        List<ClientUpdate> b = List.of(a.get(2), a.get(0), a.get(1));
        assertThat(FedNova.aggregate(b, 0.9)).isEqualTo(FedNova.aggregate(a, 0.9));
    }

    @Test
    void rejectsWhatItCannotNormalise() {
        assertThatThrownBy(() -> FedNova.aggregate(List.of(), 0)).hasMessage("FedNova needs at least one update");
        assertThatThrownBy(() -> FedNova.aggregate(List.of(u("a", 1, 0, 1f)), 0))
                .hasMessage("update a: FedNova needs localSteps >= 1 for every update, was 0");
        assertThatThrownBy(() -> new FedNova(1.0)).hasMessage("FedNova needs the local momentum rho in [0, 1), was 1.0");
        assertThatThrownBy(() -> FedNova.aggregate(List.of(u("a", 1, 1, 1f), u("b", 1, 1, 1f, 2f)), 0))
                .hasMessageContaining("FedNova: update b has layout [w[2]], expected [w[1]]");
    }
}
