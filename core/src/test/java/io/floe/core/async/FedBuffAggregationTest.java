package io.floe.core.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FedBuffAggregationTest {

    private static ClientUpdate u(String id, long base, float... v) {
        return new ClientUpdate(id, "c-" + id, base, 5, 1, new ModelWeights(List.of(new Tensor("w", new int[] {v.length}, v))),
                Map.of());
    }

    @Test
    void weighsEachUpdateByItsStalenessAndScalesByEtaOverK() {
        // current version 4; staleness 0, 1, 3 with polynomial a = 1: weights 1, 1/2, 1/4
        List<ClientUpdate> buffer = List.of(u("b", 3, 2f, 0f), u("a", 4, 1f, 1f), u("c", 1, 4f, -4f));
        ModelWeights d = FedBuffAggregation.delta(buffer, 4, new StalenessFunction.Polynomial(1.0), 1.5);

        // eta/K = 0.5: 0.5 * (1*(1,1) + 0.5*(2,0) + 0.25*(4,-4)) = 0.5 * (3, 0) = (1.5, 0)
        float[] v = d.tensors().get(0).values();
        assertThat(v[0]).isCloseTo(1.5f, within(1e-6f));
        assertThat(v[1]).isCloseTo(0.0f, within(1e-6f));
    }

    @Test
    void arrivalOrderDoesNotChangeTheBits() {
        List<ClientUpdate> a = List.of(u("x", 2, 0.1f, 1e7f), u("y", 3, 0.2f, -1e7f), u("z", 3, 0.3f, 1f));
        List<ClientUpdate> b = List.of(a.get(2), a.get(0), a.get(1));
        StalenessFunction s = new StalenessFunction.Hinge(10, 0);
        assertThat(FedBuffAggregation.delta(b, 3, s, 1.0)).isEqualTo(FedBuffAggregation.delta(a, 3, s, 1.0));
    }
}
