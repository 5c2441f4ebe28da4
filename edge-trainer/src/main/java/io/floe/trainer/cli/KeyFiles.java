package io.floe.trainer.cli;

import io.floe.core.trust.Ed25519Keys;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Reads the PEM key files that command-line options name ({@code --operator-key}, {@code --client-key},
 * {@code --public-key}, {@code --job-public-key}); a file that is missing or holds no Ed25519 key of
 * the expected kind is a usage error naming the option and saying which file to give.
 */
final class KeyFiles {
    private KeyFiles() {
    }

    /** The private key in {@code file}, or null when the option was not given. */
    static PrivateKey privateKey(CommandLine cli, String option, Path file) {
        if (file == null) {
            return null;
        }
        try {
            return Ed25519Keys.readPrivateKey(file);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ParameterException(cli, option + " " + file + ": " + e.getMessage()
                    + " (give the NAME.key file that './floe keys generate --name NAME' wrote)", e);
        }
    }

    /** The public key in {@code file}, or null when the option was not given. */
    static PublicKey publicKey(CommandLine cli, String option, Path file) {
        if (file == null) {
            return null;
        }
        try {
            return Ed25519Keys.readPublicKey(file);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new ParameterException(cli, option + " " + file + ": " + e.getMessage()
                    + " (give the NAME.pub file that './floe keys generate --name NAME' wrote)", e);
        }
    }
}
