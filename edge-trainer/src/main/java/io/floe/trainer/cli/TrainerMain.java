package io.floe.trainer.cli;

import picocli.CommandLine;

/**
 * The entry point of the packaged trainer ({@code bin/floe-trainer} in {@code floe-trainer-*.tar.gz},
 * built by the {@code trainer-dist} module): {@link TrainerCommand} on its own, so a gateway runs
 * the trainer with the same options and {@code @FILE} argument files as {@code ./floe trainer},
 * without the demo's Flink and Kafka-broker jars on its classpath.
 *
 * <p>{@code floe-trainer keys generate --name SITE} makes the site's key pair on the gateway itself
 * ({@link KeysCommand}), so that its private key never leaves it: the operator enrols {@code SITE.pub}.
 */
public final class TrainerMain {
    /** The command's name in usage and error messages: the launcher's name. */
    static final String COMMAND_NAME = "floe-trainer";

    private TrainerMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("keys")) {
            System.exit(keysCommandLine().execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new TrainerCommand()).setCommandName(COMMAND_NAME);
    }

    /** {@code floe-trainer keys ...}: the key generator, as {@code ./floe keys}. */
    static CommandLine keysCommandLine() {
        return new CommandLine(new KeysCommand()).setCommandName(COMMAND_NAME + " keys");
    }
}
