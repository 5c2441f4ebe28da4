package io.floe.trainer.cli;

import io.floe.core.trust.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code floe keys generate}: a new Ed25519 key pair as PEM files, {@code NAME.key} (private, mode
 * 600) and {@code NAME.pub}, the formats {@code openssl genpkey -algorithm ed25519} writes. An
 * operator makes one to sign commands, the job one to sign its models, each client one to sign its
 * updates; only the {@code .pub} file leaves the machine it was made on.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, subcommands = KeysCommand.Generate.class,
        description = "Ed25519 keys for operators, the job and clients (see 'keys generate --help').")
public class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code floe keys generate --out DIR --name NAME}. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Write a new Ed25519 key pair, DIR/NAME.key (private, mode 600) and DIR/NAME.pub; print its fingerprint.",
                    "Keep NAME.key on the machine that signs with it; hand out NAME.pub."})
    public static class Generate implements Callable<Integer> {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

        @Option(names = "--out", paramLabel = "DIR", defaultValue = ".", description = "Directory to write into; created if"
                + " missing (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--name", paramLabel = "NAME", required = true, description = "File name without extension,"
                + " e.g. operator, job or the client id.")
        String name;

        @Option(names = "--force", description = "Overwrite an existing key pair of that name (its signatures then no"
                + " longer verify with the new key).")
        boolean force;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            CommandLine cli = spec.commandLine();
            if (!NAME.matcher(name).matches()) {
                throw new ParameterException(cli, "--name must be a plain file name ([A-Za-z0-9._-], not starting with"
                        + " '.' or '-'), was '" + name + "'");
            }
            Path priv = out.resolve(name + ".key");
            Path pub = out.resolve(name + ".pub");
            if (!force && (Files.exists(priv) || Files.exists(pub))) {
                throw new ParameterException(cli, (Files.exists(priv) ? priv : pub) + " exists: give another --name, or"
                        + " --force to replace the key pair (what was signed or enrolled with it must then be redone)");
            }
            KeyPair pair = Ed25519Keys.generate();
            Ed25519Keys.write(pair, out, name);
            cli.getOut().printf("wrote %s (private: keep it here) and %s (public: hand it out)%nfingerprint %s%n",
                    priv, pub, Ed25519Keys.fingerprint(pair.getPublic()));
            cli.getOut().flush();
            return 0;
        }
    }
}
