package io.floe.trainer.cli;

import io.floe.core.privacy.PrivacySpent;
import io.floe.core.privacy.RdpAccountant;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code floe privacy epsilon|noise}: the RDP accountant of {@code io.floe.core.privacy} for
 * scripts. The last line of standard output is always the number alone; invalid input prints a
 * message on standard error and exits with code 2.
 */
@Command(name = "privacy", mixinStandardHelpOptions = true,
        description = {
            "Differential-privacy accounting for the sampled Gaussian mechanism (DP-SGD on a trainer, DP-FedAvg in the job), "
                    + "computed as Opacus's RDP accountant computes it: RDP of Mironov, Talwar, Zhang (2019), "
                    + "converted to (epsilon, delta) by Balle et al. (2020) over Opacus's default orders 1.1..63.",
            "The last line of output is the number alone. Invalid input: message on stderr, exit code 2."},
        subcommands = {PrivacyCommand.Epsilon.class, PrivacyCommand.Noise.class})
public class PrivacyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: use 'epsilon' or 'noise'");
    }

    /** {@code floe privacy epsilon}: (epsilon, delta) spent by T steps at (q, z). */
    @Command(name = "epsilon", mixinStandardHelpOptions = true,
            description = "Print the epsilon spent by T steps of the sampled Gaussian mechanism with sampling rate Q "
                    + "and noise multiplier Z, at the given delta, and the RDP order that gives it.")
    public static final class Epsilon implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--noise-multiplier", required = true, paramLabel = "Z",
                description = "Noise standard deviation divided by the L2 sensitivity (clipping norm); > 0.")
        double noiseMultiplier;

        @Option(names = "--sample-rate", required = true, paramLabel = "Q",
                description = "Probability that a record (or a client) takes part in a step (Poisson sampling), "
                        + "in [0, 1]; use 1 when every record takes part or the selection is not a Poisson sample.")
        double sampleRate;

        @Option(names = "--steps", required = true, paramLabel = "T",
                description = "Number of steps (batches for DP-SGD, rounds for DP-FedAvg); >= 0.")
        long steps;

        @Option(names = "--delta", required = true, paramLabel = "D",
                description = "Target delta in (0, 1), typically below 1/n for n records, e.g. 1e-5.")
        double delta;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                PrivacySpent spent = RdpAccountant.privacySpent(sampleRate, noiseMultiplier, steps, delta);
                if (Double.isInfinite(spent.epsilon())) {
                    out.printf("no RDP order gives a finite epsilon for %s at q = %s, z = %s, delta = %s%n",
                            steps(steps), num(sampleRate), num(noiseMultiplier), num(delta));
                } else {
                    out.printf("epsilon = %.6g at delta = %s after %s with q = %s, z = %s (best RDP order alpha = %s)%n",
                            spent.epsilon(), num(delta), steps(steps), num(sampleRate), num(noiseMultiplier),
                            num(spent.bestOrder()));
                    warnIfAtGridEdge(spec, spent);
                }
                out.println(spent.epsilon());
                out.flush();
                return 0;
            } catch (IllegalArgumentException e) {
                return invalid(spec, e);
            }
        }
    }

    /** {@code floe privacy noise}: the noise multiplier that reaches a target epsilon. */
    @Command(name = "noise", mixinStandardHelpOptions = true,
            description = "Print the smallest noise multiplier found by Opacus's search (bracketing, then bisection to "
                    + "within 0.01 below the target) whose epsilon after T steps at sampling rate Q stays at or below E.")
    public static final class Noise implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--target-epsilon", required = true, paramLabel = "E", description = "Privacy budget epsilon; > 0.")
        double targetEpsilon;

        @Option(names = "--delta", required = true, paramLabel = "D",
                description = "Target delta in (0, 1), typically below 1/n for n records, e.g. 1e-5.")
        double delta;

        @Option(names = "--sample-rate", required = true, paramLabel = "Q",
                description = "Probability that a record (or a client) takes part in a step (Poisson sampling), in (0, 1].")
        double sampleRate;

        @Option(names = "--steps", required = true, paramLabel = "T",
                description = "Number of steps the budget must cover (epochs / Q for DP-SGD); > 0.")
        long steps;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                double z = RdpAccountant.noiseMultiplier(targetEpsilon, delta, sampleRate, steps);
                PrivacySpent spent = RdpAccountant.privacySpent(sampleRate, z, steps, delta);
                out.printf("noise multiplier z = %s gives epsilon = %.6g <= %s at delta = %s after %s with q = %s "
                        + "(best RDP order alpha = %s)%n", z, spent.epsilon(), num(targetEpsilon), num(delta), steps(steps),
                        num(sampleRate), num(spent.bestOrder()));
                warnIfAtGridEdge(spec, spent);
                out.println(z);
                out.flush();
                return 0;
            } catch (IllegalArgumentException e) {
                return invalid(spec, e);
            }
        }
    }

    /** A number as a person would type it: 0.00001, 1E-7, 0.04, 10 (the last line keeps Java's full-precision form). */
    private static String num(double x) {
        if (!Double.isFinite(x)) {
            return Double.toString(x);
        }
        BigDecimal d = BigDecimal.valueOf(x).stripTrailingZeros();
        return x == 0 || Math.abs(x) >= 1e-4 ? d.toPlainString() : d.toString();
    }

    private static String steps(long n) {
        return n == 1 ? "1 step" : n + " steps";
    }

    private static void warnIfAtGridEdge(CommandSpec spec, PrivacySpent spent) {
        if (spent.bestOrderAtGridEdge()) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf("note: the best order %s is at the edge of the order grid; a wider grid could give a smaller "
                    + "epsilon (Opacus warns the same)%n", num(spent.bestOrder()));
            err.flush();
        }
    }

    private static int invalid(CommandSpec spec, IllegalArgumentException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("%s: invalid input: %s%n", spec.qualifiedName(), e.getMessage());
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }
}
