package io.floe.deploy;

import io.floe.trainer.cli.EnrolCommand;
import io.floe.trainer.cli.KeysCommand;
import io.floe.trainer.cli.PrivacyCommand;
import io.floe.trainer.cli.RegisterCommand;
import io.floe.trainer.cli.ReleaseCommand;
import io.floe.trainer.cli.RevokeCommand;
import io.floe.trainer.cli.TrainerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./floe} command: demo, trainer, register, privacy, and the trust commands keys, enrol, revoke, release. */
@Command(name = "floe", mixinStandardHelpOptions = true, version = "floe 0.1.0",
        description = "Federated learning over Kafka and Flink.",
        subcommands = {DemoCommand.class, TrainerCommand.class, RegisterCommand.class, PrivacyCommand.class, KeysCommand.class,
                EnrolCommand.class, RevokeCommand.class, ReleaseCommand.class})
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
