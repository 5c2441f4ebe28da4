package io.floe.deploy;

import io.floe.trainer.cli.PrivacyCommand;
import io.floe.trainer.cli.RegisterCommand;
import io.floe.trainer.cli.TrainerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./floe} command: demo, trainer, register, privacy. */
@Command(name = "floe", mixinStandardHelpOptions = true, version = "floe 0.1.0",
        description = "Federated learning over Kafka and Flink.",
        subcommands = {DemoCommand.class, TrainerCommand.class, RegisterCommand.class, PrivacyCommand.class})
public final class FloeCli implements Runnable {
    public static void main(String[] args) {
        int code = new CommandLine(new FloeCli()).execute(args);
        System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
