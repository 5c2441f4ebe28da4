package io.floe.core.chunk;

import io.floe.core.drift.OptimizerState;
import io.floe.core.drift.ServerOptimizer;
import io.floe.core.drift.ServerStep;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A server optimizer's step on one chunk of a chunked model (Reddi et al. 2021, "Adaptive
 * Federated Optimization", Algorithm 2: FedAvgM, FedAdagrad, FedAdam, FedYogi). Every one of them
 * is coordinate-wise, so the step on a chunk's slice, with that slice's moments, is the step on
 * the whole model restricted to the chunk: the same {@link ServerOptimizer} code runs on a
 * one-tensor model named {@link #TENSOR}, and the moments (O(chunk)) stay with the chunk.
 */
public final class ChunkServerStep {
    /** The name of the one tensor a chunk's slice is to the optimizer (moments are m/chunk, v/chunk). */
    public static final String TENSOR = "chunk";

    private ChunkServerStep() {
    }

    /** The next slice and the moments to keep. */
    public record Result(float[] next, Map<String, float[]> moments) {
    }

    /** Whether {@code serverOptimizer} is the plain FedAvg step (x += eta Delta), which keeps no moments. */
    public static boolean isPlain(String serverOptimizer) {
        return serverOptimizer == null || serverOptimizer.isBlank()
                || ServerOptimizer.parse(serverOptimizer) instanceof ServerOptimizer.FedAvg;
    }

    /**
     * One step of {@code serverOptimizer} on slice {@code x} with aggregated delta {@code delta};
     * {@code moments} are what the previous step returned (empty, or written by another optimizer:
     * it starts from its initial state, as the whole-model path does).
     */
    public static Result step(String serverOptimizer, float[] x, float[] delta, Map<String, float[]> moments) {
        ServerOptimizer optimizer = ServerOptimizer.parse(serverOptimizer);
        ModelWeights current = one(x);
        OptimizerState state = optimizer.initialState(current);
        if (!moments.isEmpty()) {
            List<Tensor> stored = new ArrayList<>();
            moments.forEach((name, values) -> stored.add(new Tensor(name, new int[] {values.length}, values)));
            OptimizerState restored = OptimizerState.restore(new ModelWeights(stored));
            if (restored.asWeights().sameLayout(state.asWeights())) {
                state = restored;
            }
        }
        ServerStep s = optimizer.step(current, one(delta), state);
        Map<String, float[]> next = new TreeMap<>();
        for (Tensor t : s.state().asWeights().tensors()) {
            next.put(t.name(), t.values());
        }
        return new Result(s.weights().tensors().get(0).values(), next);
    }

    private static ModelWeights one(float[] values) {
        return new ModelWeights(List.of(new Tensor(TENSOR, new int[] {values.length}, values)));
    }
}
