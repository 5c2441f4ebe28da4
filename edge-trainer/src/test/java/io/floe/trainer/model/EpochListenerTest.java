package io.floe.trainer.model;

import io.floe.core.spec.Architecture;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.trainer.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The listener hears every epoch, in order, with its loss, and changes nothing trained. */
class EpochListenerTest {

    private static Dataset data(int rows, int features, int classes) {
        SplittableRandom random = new SplittableRandom(7);
        float[][] x = new float[rows][features];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < features; c++) {
                x[r][c] = (float) random.nextDouble();
            }
            y[r] = r % classes;
        }
        return new Dataset(x, y);
    }

    private static void hearsEveryEpochAndTrainsTheSame(String architecture, Dataset data) {
        TrainingConfig cfg = new TrainingConfig(0.05, 3, 8, 11).withMomentum(0.9);
        LocalModel quiet = LocalModels.create(Architecture.parse(architecture), 42);
        LocalModel heard = LocalModels.create(Architecture.parse(architecture), 42);
        List<String> epochs = new ArrayList<>();

        TrainingResult q = quiet.train(data, cfg);
        TrainingResult h = heard.train(data, cfg, (epoch, of, loss) -> epochs.add(epoch + "/" + of + (Double.isFinite(loss) ? "" : " NaN")));

        assertThat(epochs).containsExactly("1/3", "2/3", "3/3");
        assertThat(h).isEqualTo(q);
        assertThat(heard.weights().flatten()).containsExactly(quiet.weights().flatten());
    }

    @Test
    void denseNetwork() {
        hearsEveryEpochAndTrainsTheSame("mlp(4,8,3)", data(40, 4, 3));
    }

    @Test
    void convNetwork() {
        hearsEveryEpochAndTrainsTheSame("cnn(16,16,1,3)", data(24, 256, 3));
    }
}
