package io.floe.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.trainer.privacy.DpSgdConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

class TrainerCommandTest {
    private static final String[] REQUIRED = {
        "--bootstrap-servers", "localhost:9092", "--model-id", "m", "--client-id", "h1", "--data", "x.csv"};

    @Test
    void theStateDirectoryDefaultsToFloeStateInTheWorkingDirectory() {
        assertThat(parse().stateDir).isEqualTo(Path.of("./floe-state"));
        assertThat(parse("--state-dir", "/var/lib/floe").stateDir).isEqualTo(Path.of("/var/lib/floe"));
    }

    @Test
    void metricsAreOffByDefaultAndBindToLoopbackWhenTurnedOn() {
        assertThat(parse().metricsPort).isNull();
        TrainerCommand on = parse("--metrics-port", "9464");
        assertThat(on.metricsPort).isEqualTo(9464);
        assertThat(on.metricsBind).isEqualTo("127.0.0.1");
        assertThat(parse("--metrics-port", "0", "--metrics-bind", "0.0.0.0").metricsBind).isEqualTo("0.0.0.0");
    }

    @Test
    void noDpOptionsMeansNoDp() {
        assertThat(parse().dpSgdConfig()).isEmpty();
    }

    @Test
    void aClipNormAndANoiseMultiplierTurnDpSgdOn() {
        Optional<DpSgdConfig> dp = parse("--dp-clip-norm", "1.5", "--dp-noise-multiplier", "0.9",
                "--dp-expected-batch-size", "64").dpSgdConfig();

        assertThat(dp).isPresent();
        assertThat(dp.get().clipNorm()).isEqualTo(1.5);
        assertThat(dp.get().noiseMultiplier()).hasValue(0.9);
        assertThat(dp.get().delta()).isEqualTo(1e-5);
        assertThat(dp.get().expectedBatchSize()).hasValue(64);
        assertThat(dp.get().secretSeed()).as("the CLI never fixes the secret").isEmpty();
    }

    @Test
    void aTargetEpsilonSpreadsOverThePlannedRoundsOrMaxRounds() {
        DpSgdConfig planned = parse("--dp-clip-norm", "1", "--dp-target-epsilon", "4", "--dp-delta", "1e-6",
                "--dp-planned-rounds", "20").dpSgdConfig().orElseThrow();
        DpSgdConfig fromMax = parse("--dp-clip-norm", "1", "--dp-target-epsilon", "4", "--max-rounds", "12")
                .dpSgdConfig().orElseThrow();

        assertThat(planned.targetEpsilon()).hasValue(4.0);
        assertThat(planned.plannedRounds()).isEqualTo(20);
        assertThat(planned.delta()).isEqualTo(1e-6);
        assertThat(fromMax.plannedRounds()).isEqualTo(12);
    }

    @Test
    void invalidCombinationsSayWhichOptionsToFix() {
        assertThatThrownBy(() -> parse("--dp-clip-norm", "1", "--dp-noise-multiplier", "1", "--dp-target-epsilon", "2",
                "--dp-planned-rounds", "5").dpSgdConfig())
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("--dp-noise-multiplier and --dp-target-epsilon are mutually exclusive");
        assertThatThrownBy(() -> parse("--dp-clip-norm", "1").dpSgdConfig())
                .hasMessageContaining("--dp-clip-norm needs --dp-noise-multiplier Z or --dp-target-epsilon E");
        assertThatThrownBy(() -> parse("--dp-noise-multiplier", "1").dpSgdConfig())
                .hasMessageContaining("--dp-noise-multiplier needs --dp-clip-norm");
        assertThatThrownBy(() -> parse("--dp-delta", "1e-6").dpSgdConfig())
                .hasMessageContaining("--dp-delta needs --dp-clip-norm");
        assertThatThrownBy(() -> parse("--dp-clip-norm", "1", "--dp-target-epsilon", "2").dpSgdConfig())
                .hasMessageContaining("give --dp-planned-rounds R (or --max-rounds R)");
        assertThatThrownBy(() -> parse("--dp-clip-norm", "1", "--dp-noise-multiplier", "1", "--dp-planned-rounds", "3")
                .dpSgdConfig())
                .hasMessageContaining("--dp-planned-rounds applies to --dp-target-epsilon only");
        assertThatThrownBy(() -> parse("--dp-clip-norm", "1", "--dp-noise-multiplier", "1", "--dp-delta", "2")
                .dpSgdConfig())
                .isInstanceOf(ParameterException.class)
                .hasMessageContaining("delta must be in (0, 1)");
        assertThatThrownBy(() -> parse("--dp-clip-norm", "-1", "--dp-noise-multiplier", "1").dpSgdConfig())
                .hasMessageContaining("clip norm must be positive");
    }

    private static TrainerCommand parse(String... dpArgs) {
        TrainerCommand command = new TrainerCommand();
        new CommandLine(command).parseArgs(Stream.concat(Stream.of(REQUIRED), Stream.of(dpArgs)).toArray(String[]::new));
        return command;
    }
}
