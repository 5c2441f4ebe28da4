package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.floe.schema.AggregationConfig;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.data.FashionMnist;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fmnist scenario through the real broker and job: 10 clients with 60 Fashion-MNIST training
 * images each (iid), a softmax {@code mlp(784,32,10)}, two rounds of FedAvg, every version scored
 * on the first 200 test images. Skipped where Fashion-MNIST is not installed; CI installs it
 * ({@code scripts/setup-fashion-mnist.sh} in {@code .ci/run}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FmnistFederatedITCase {
    private static final int CLIENTS = 10;
    private static EmbeddedFloe floe;
    private static List<RoundRecord> history;

    @BeforeAll
    static void runTwoRounds() throws Exception {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST is not installed in " + FashionMnist.DEFAULT_DIR + "; run scripts/setup-fashion-mnist.sh");
        FmnistScenario scenario = FmnistScenario.load(FashionMnist.DEFAULT_DIR, CLIENTS, "iid", 42, 600, 200);
        floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0");
        AggregationConfig aggregation = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(CLIENTS).build();
        RunSettings run = new RunSettings("fmnist-it", "mlp(784,32,10)", 42, 2, aggregation,
                ModelRegistration.training(0.05f, 3, 16, 0.5f), "none", 0);
        history = FederatedRun.run(floe, scenario, run, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (floe != null) {
            floe.close();
        }
    }

    @Test
    void versionsOneAndTwoArePublishedWithEveryClientAccepted() {
        assertThat(history).extracting(RoundRecord::version).containsExactly(0L, 1L, 2L);
        assertThat(history.subList(1, 3)).allSatisfy(r -> {
            assertThat(r.participants()).isEqualTo(CLIENTS);
            assertThat(r.rejected()).isZero();
            assertThat(r.clientAccuracy()).isBetween(0.0, 1.0);
        });
    }

    @Test
    void testAccuracyIsComputedAndTheFederatedModelLearns() {
        RoundRecord v0 = history.get(0);
        RoundRecord v2 = history.get(2);
        System.out.printf("[test] Fashion-MNIST test accuracy v0 %.4f, v1 %.4f, v2 %.4f%n", v0.testAccuracy(),
                history.get(1).testAccuracy(), v2.testAccuracy());
        assertThat(history).allSatisfy(r -> assertThat(r.testAuc()).isNaN());
        // ten classes: chance is 0.1; 600 images and two rounds reach well above it
        assertThat(v2.testAccuracy()).isGreaterThan(v0.testAccuracy()).isGreaterThan(0.4);
        assertThat(v2.testLoss()).isLessThan(v0.testLoss());
    }
}
