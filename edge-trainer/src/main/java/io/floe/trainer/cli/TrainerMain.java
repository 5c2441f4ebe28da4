package io.floe.trainer.cli;

import picocli.CommandLine;

/**
 * The entry point of the packaged trainer ({@code bin/floe-trainer} in {@code floe-trainer-*.tar.gz},
 * built by the {@code trainer-dist} module): {@link TrainerCommand} on its own, so a gateway runs
 * the trainer with the same options and {@code @FILE} argument files as {@code ./floe trainer},
 * without the demo's Flink and Kafka-broker jars on its classpath.
 */
public final class TrainerMain {
    /** The command's name in usage and error messages: the launcher's name. */
    static final String COMMAND_NAME = "floe-trainer";

    private TrainerMain() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new TrainerCommand()).setCommandName(COMMAND_NAME);
    }
}
