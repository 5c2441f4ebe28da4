package io.floe.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainerMainTest {
    @Test
    void helpNamesTheLauncherAndTheTrainerOptions() {
        // Prepare
        StringWriter out = new StringWriter();
        CommandLine cli = TrainerMain.commandLine();
        cli.setOut(new PrintWriter(out));

        // Execute
        int code = cli.execute("--help");

        // Assert
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("Usage: floe-trainer ")
                .contains("--bootstrap-servers", "--model-id", "--client-id", "--data", "--kafka-properties");
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cli = TrainerMain.commandLine();
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("--bootstrap-servers", "localhost:9092");

        assertThat(code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("Missing required options", "--model-id");
    }
}
