package io.floe.core.trust;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys (RFC 8032) with the JDK's own provider: generation, the X.509 / PKCS#8 encodings
 * every TLS and SSH tool reads, and PEM files ({@code -----BEGIN PUBLIC KEY-----},
 * {@code -----BEGIN PRIVATE KEY-----}, as {@code openssl genpkey -algorithm ed25519} writes them).
 * A private key file is written readable by its owner only.
 */
public final class Ed25519Keys {
    public static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile("-----BEGIN (PUBLIC|PRIVATE) KEY-----([A-Za-z0-9+/=\\s]+?)-----END \\1 KEY-----");

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519 provider", e);
        }
    }

    /** The public key from its X.509 SubjectPublicKeyInfo encoding (as {@link PublicKey#getEncoded()} gives it). */
    public static PublicKey publicKey(byte[] x509) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (X.509 SubjectPublicKeyInfo expected): " + e.getMessage(), e);
        }
    }

    public static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an Ed25519 private key (PKCS#8 expected): " + e.getMessage(), e);
        }
    }

    /** A short, stable name for a public key: the first 8 bytes of the SHA-256 of its X.509 encoding, in hex. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code name.key} (private, mode 600) and {@code name.pub} into {@code dir}; returns the public key file. */
    public static Path write(KeyPair pair, Path dir, String name) {
        try {
            Files.createDirectories(dir);
            Path priv = dir.resolve(name + ".key");
            Path pub = dir.resolve(name + ".pub");
            Files.writeString(priv, pem("PRIVATE", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file keeps its default permissions
            }
            Files.writeString(pub, pem("PUBLIC", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
            return pub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String pem(String kind, byte[] der) {
        return "-----BEGIN " + kind + " KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + kind + " KEY-----\n";
    }

    /** Every public key in a PEM file (one or more blocks); a file without one is an error. */
    public static List<PublicKey> readPublicKeys(Path file) {
        List<PublicKey> keys = new ArrayList<>();
        for (byte[] der : blocks(file, "PUBLIC")) {
            keys.add(publicKey(der));
        }
        return keys;
    }

    public static PublicKey readPublicKey(Path file) {
        List<PublicKey> keys = readPublicKeys(file);
        if (keys.size() != 1) {
            throw new IllegalArgumentException(file + " holds " + keys.size() + " public keys; one expected");
        }
        return keys.get(0);
    }

    public static PrivateKey readPrivateKey(Path file) {
        List<byte[]> blocks = blocks(file, "PRIVATE");
        if (blocks.size() != 1) {
            throw new IllegalArgumentException(file + " holds " + blocks.size() + " private keys; one expected"
                    + " (a PEM '-----BEGIN PRIVATE KEY-----' block, as './floe keys generate' writes it)");
        }
        return privateKey(blocks.get(0));
    }

    private static List<byte[]> blocks(Path file, String kind) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file, e);
        }
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(kind)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no '-----BEGIN " + kind + " KEY-----' block");
        }
        return out;
    }
}
