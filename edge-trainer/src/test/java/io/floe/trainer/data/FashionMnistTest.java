package io.floe.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST files, where {@code scripts/setup-fashion-mnist.sh} installs them; skipped
 * on machines without them.
 */
class FashionMnistTest {

    @Test
    void loadsTheInstalledDataSet() throws IOException {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST is not in " + FashionMnist.DEFAULT_DIR + "; run scripts/setup-fashion-mnist.sh");

        long start = System.nanoTime();
        FashionMnist.Splits data = FashionMnist.load(FashionMnist.DEFAULT_DIR);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("loaded Fashion-MNIST (60,000 + 10,000 images) in %d ms%n", millis);

        assertThat(data.train().size()).isEqualTo(FashionMnist.TRAIN_SIZE);
        assertThat(data.test().size()).isEqualTo(FashionMnist.TEST_SIZE);
        assertThat(data.train().featureCount()).isEqualTo(784);
        assertThat(data.train().featureNames().get(783)).isEqualTo("px783");
        assertThat(data.train().classCounts()).containsOnly(6000);
        assertThat(data.test().classCounts()).containsOnly(1000);
        float[] pixels = data.test().featuresRowMajor();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float p : pixels) {
            min = Math.min(min, p);
            max = Math.max(max, p);
        }
        assertThat(min).isEqualTo(0f);
        assertThat(max).isEqualTo(1f);
        // the README's first training label is 9 (Ankle boot), the first test label 9 as well
        assertThat(data.train().label(0)).isEqualTo(9);
        assertThat(data.test().label(0)).isEqualTo(9);

        PartySplit split = NiidPartition.parse("dirichlet:0.5").split(data.train(), 10, 42L);
        int total = 0;
        for (int k = 0; k < split.partyCount(); k++) {
            assertThat(split.size(k)).isGreaterThanOrEqualTo(NiidPartition.MIN_REQUIRE_SIZE);
            total += split.size(k);
        }
        assertThat(total).isEqualTo(FashionMnist.TRAIN_SIZE);
        System.out.println(split.describe());
    }

    @Test
    void loadsAPrefixQuickly() throws IOException {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST is not in " + FashionMnist.DEFAULT_DIR + "; run scripts/setup-fashion-mnist.sh");

        FashionMnist.Splits data = FashionMnist.load(FashionMnist.DEFAULT_DIR, 1000);

        assertThat(data.train().size()).isEqualTo(1000);
        assertThat(data.test().size()).isEqualTo(1000);
        assertThat(java.util.stream.IntStream.of(data.train().classCounts()).min().getAsInt()).isGreaterThan(50);
    }
}
