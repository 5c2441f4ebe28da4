package io.floe.trainer.model;

import io.floe.core.spec.Architecture;
import io.floe.core.tensor.ModelWeights;

/**
 * Trainable models of an {@link Architecture}: a {@link DenseNetwork} for {@code logreg} and
 * {@code mlp}, a {@link ConvNetwork} for {@code cnn}. The architecture (plain Java, in core, so the
 * job can check specs against it) knows the layout; this knows nd4j.
 */
public final class LocalModels {
    private LocalModels() {
    }

    /** A model holding a copy of {@code weights}. */
    public static LocalModel create(Architecture arch, ModelWeights weights) {
        return arch.isConvolutional() ? new ConvNetwork(arch, weights) : new DenseNetwork(arch, weights);
    }

    /** A model of {@link Architecture#initialWeights(long) initialWeights(seed)}. */
    public static LocalModel create(Architecture arch, long seed) {
        return create(arch, arch.initialWeights(seed));
    }
}
