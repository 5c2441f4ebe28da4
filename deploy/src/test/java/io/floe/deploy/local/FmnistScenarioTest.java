package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.FashionMnist;
import io.floe.trainer.data.NiidPartition;
import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FmnistScenarioTest {

    /** {@code rows} random 4-pixel images, labels cycling through ten classes. */
    private static Dataset images(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[rows][4];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 4; c++) {
                x[r][c] = (float) random.nextDouble();
            }
            y[r] = r % 10;
        }
        return new Dataset(x, y);
    }

    @Test
    void iidDealsEveryRowOutInNearlyEqualParts() {
        FmnistScenario s = FmnistScenario.of(images(203, 1), images(50, 2), NiidPartition.parse("iid"), 10, 42);

        assertThat(s.sites()).hasSize(10);
        assertThat(s.sites()).extracting(Dataset::size).containsOnly(20, 21);
        assertThat(s.trainingRows()).isEqualTo(203);
        assertThat(s.siteName(3)).isEqualTo("client-03");
        assertThat(s.evaluationSet().size()).isEqualTo(50);
        assertThat(s.classCount()).isEqualTo(10);
        assertThat(s.multiclass()).isTrue();
        assertThat(s.describe().lines()).hasSize(10).first().asString().startsWith("  client-00     21 records");
    }

    @Test
    void labelsTwoGivesEachClientExactlyTwoClasses() {
        FmnistScenario s = FmnistScenario.of(images(1000, 1), images(50, 2), NiidPartition.parse("labels:2"), 10, 42);

        for (int i = 0; i < 10; i++) {
            assertThat(Arrays.stream(s.split().classCounts(i)).filter(c -> c > 0).count()).as("classes of client %d", i)
                    .isEqualTo(2);
            assertThat(s.sites().get(i).size()).isEqualTo(s.split().size(i));
        }
    }

    @Test
    void imagesStayRawPixelsForSitesAndEvaluationAsInNiidBench() {
        FmnistScenario s = FmnistScenario.of(images(100, 1), images(400, 2), NiidPartition.parse("iid"), 5, 42);

        assertThat(s.standardizes()).isFalse();
        for (int r = 0; r < 400; r++) {
            assertThat(s.evaluationSet().row(r)).isEqualTo(s.rawTest().row(r));
        }
        assertThat(s.rawTest().feature(0, 0)).isBetween(0f, 1f);
        assertThat(new HospitalsScenarioDefaults().standardizes()).isTrue();
    }

    /** The interface's default, which tables such as WDBC keep. */
    private static final class HospitalsScenarioDefaults implements FederatedScenario {
        @Override
        public String name() {
            return "table";
        }

        @Override
        public java.util.List<Dataset> sites() {
            return java.util.List.of();
        }

        @Override
        public String siteName(int site) {
            return "site-" + site;
        }

        @Override
        public Dataset evaluationSet() {
            return null;
        }

        @Override
        public int classCount() {
            return 2;
        }

        @Override
        public String describe() {
            return "";
        }
    }

    @Test
    void missingFilesSayHowToInstallThem(@TempDir Path empty) {
        assertThatThrownBy(() -> FmnistScenario.load(empty, 10, "iid", 42, 600, 100))
                .isInstanceOf(FileNotFoundException.class).hasMessageContaining("scripts/setup-fashion-mnist.sh");
    }

    @Test
    void theRealTrainingSliceSplitsIntoTheRequestedSizes() throws Exception {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed (scripts/setup-fashion-mnist.sh)");

        FmnistScenario iid = FmnistScenario.load(FashionMnist.DEFAULT_DIR, 10, "iid", 42, 600, 200);
        FmnistScenario dirichlet = FmnistScenario.load(FashionMnist.DEFAULT_DIR, 10, "dirichlet:0.5", 42, 600, 200);

        assertThat(iid.sites()).extracting(Dataset::size).containsOnly(60);
        assertThat(iid.evaluationSet().size()).isEqualTo(200);
        assertThat(iid.evaluationSet().featureCount()).isEqualTo(784);
        assertThat(dirichlet.trainingRows()).isEqualTo(600);
        assertThat(dirichlet.sites()).extracting(Dataset::size).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(10));
    }
}
