package io.floe.trainer.attack;

import io.floe.trainer.data.Dataset;

/**
 * Data poisoning: the attacker trains honestly, but on data it has changed. The functions here
 * are handed to {@code NetworkTraining} as its training-data hook, so they see the scaled local
 * training part and nothing else.
 */
public final class DataPoisoning {
    private DataPoisoning() {
    }

    /**
     * Every label mirrored, {@code y -> (k - 1) - y} for {@code k} classes: {@code y -> 1 - y} for
     * binary data such as WDBC (malignant reads benign and back). The label-flipping attack of
     * Tolpegin et al. (ESORICS 2020), "Data Poisoning Attacks Against Federated Learning Systems",
     * with every label flipped rather than one source class.
     */
    public static Dataset flipLabels(Dataset data) {
        int[] labels = data.labels();
        int last = data.classCount() - 1;
        for (int i = 0; i < labels.length; i++) {
            labels[i] = last - labels[i];
        }
        return data.withLabels(labels);
    }
}
