package io.floe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.deploy.local.Baselines;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** Which defaults {@code floe demo} fills in per scenario, and that the command line always wins. */
class DemoCommandDefaultsTest {

    /** Parses {@code args} as picocli would and resolves the scenario's defaults, as {@code call()} does before running. */
    private static Resolved parsed(String... args) {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs(args);
        Baselines.Choice choice = demo.resolveScenarioDefaults();
        return new Resolved(demo, choice);
    }

    private record Resolved(DemoCommand demo, Baselines.Choice choice) {
    }

    @Test
    void fmnistGetsTheFastDefaultsWhenNothingIsGiven() {
        Resolved r = parsed("--scenario", "fmnist", "--partition", "dirichlet:0.5");

        assertThat(r.demo().model).isEqualTo("mlp(784,100,10)");
        assertThat(r.demo().trainRows).isEqualTo(20_000);
        assertThat(r.demo().testRows).isZero();
        assertThat(r.demo().rounds).isEqualTo(15);
        assertThat(r.demo().training.localEpochs).isEqualTo(2);
        assertThat(r.demo().training.batchSize).isEqualTo(32);
        assertThat(r.demo().training.learningRate).isEqualTo(0.01f);
        assertThat(r.demo().training.momentum).isEqualTo(0.9f);
        assertThat(r.demo().clients).isEqualTo(10);
        assertThat(r.choice()).isEqualTo(Baselines.Choice.CENTRAL);
    }

    @Test
    void fmnistKeepsEveryOptionTheCommandLineGivesEvenWhenItEqualsTheHospitalsDefault() {
        Resolved r = parsed("--scenario", "fmnist", "--model", "cnn", "--train-rows", "0", "--rounds", "20",
                "--local-epochs", "1", "--batch-size", "64", "--learning-rate", "0.05", "--momentum", "0", "--baselines", "all");

        assertThat(r.demo().model).isEqualTo("cnn");
        assertThat(r.demo().trainRows).isZero();
        assertThat(r.demo().rounds).isEqualTo(20);
        assertThat(r.demo().training.localEpochs).isEqualTo(1);
        assertThat(r.demo().training.batchSize).isEqualTo(64);
        assertThat(r.demo().training.learningRate).isEqualTo(0.05f);
        assertThat(r.demo().training.momentum).isZero();
        assertThat(r.choice()).isEqualTo(Baselines.Choice.ALL);
    }

    @Test
    void hospitalsKeepTheirOwnDefaultsAndAllBaselines() {
        Resolved r = parsed();

        assertThat(r.demo().model).isNull();
        assertThat(r.demo().trainRows).isZero();
        assertThat(r.demo().rounds).isEqualTo(20);
        assertThat(r.demo().training.localEpochs).isEqualTo(2);
        assertThat(r.demo().training.batchSize).isEqualTo(16);
        assertThat(r.demo().training.learningRate).isEqualTo(0.1f);
        assertThat(r.demo().training.momentum).isZero();
        assertThat(r.choice()).isEqualTo(Baselines.Choice.ALL);
    }

    @Test
    void baselinesAreParsedCaseInsensitivelyAndABadValueSaysWhatIsAllowed() {
        assertThat(parsed("--baselines", "none").choice).isEqualTo(Baselines.Choice.NONE);
        assertThat(parsed("--scenario", "fmnist", "--baselines", "NONE").choice).isEqualTo(Baselines.Choice.NONE);
        assertThat(parsed("--baselines", "Central").choice).isEqualTo(Baselines.Choice.CENTRAL);

        assertThatThrownBy(() -> parsed("--baselines", "some")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none, central or all").hasMessageContaining("some");
    }

    @Test
    void theChoiceSaysWhichBaselinesItTrains() {
        assertThat(Baselines.Choice.NONE.centralized()).isFalse();
        assertThat(Baselines.Choice.NONE.singleSites()).isFalse();
        assertThat(Baselines.Choice.CENTRAL.centralized()).isTrue();
        assertThat(Baselines.Choice.CENTRAL.singleSites()).isFalse();
        assertThat(Baselines.Choice.ALL.centralized()).isTrue();
        assertThat(Baselines.Choice.ALL.singleSites()).isTrue();
        assertThat(Baselines.Choice.CENTRAL).hasToString("central");
    }
}
