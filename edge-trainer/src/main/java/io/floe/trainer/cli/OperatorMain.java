package io.floe.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The operator's trust commands behind {@code ./floe keys|enrol|revoke|release}: key generation and
 * the signed client commands on the control topic. Its own entry point (the {@code ./floe} script
 * sends these subcommands here), so that they need nothing of the demo's classes.
 */
@Command(name = "floe", mixinStandardHelpOptions = true, version = "floe 0.1.0",
        description = "Keys and client enrolment: who may train which model, and who may command the job.",
        subcommands = {KeysCommand.class, EnrolCommand.class, RevokeCommand.class, ReleaseCommand.class})
public final class OperatorMain implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new OperatorMain());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
