package io.floe.deploy.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TLS material of a secured {@link EmbeddedKafkaBroker}, made once per data directory with the
 * JDK's {@code keytool} (no network, no extra library): a self-signed certificate authority
 * {@value #CA_DN} and a broker key pair {@value #BROKER_DN} signed by it, valid for
 * {@code 127.0.0.1} and {@code localhost}.
 *
 * <ul>
 *   <li>{@code ca.p12}: the CA's key pair (only needed to sign further certificates);</li>
 *   <li>{@code ca.pem}: the CA certificate, the truststore of the broker and of every client
 *       ({@code ssl.truststore.type=PEM});</li>
 *   <li>{@code broker.p12}: the broker's key and its chain, its keystore; it also serves as the
 *       broker's client certificate towards its own controller listener (mutual TLS).</li>
 * </ul>
 *
 * <p>The files stay in the directory, so a broker restarted on the same data presents the same
 * certificate and clients configured for it keep working.
 */
final class BrokerCertificates {
    /** Subject of the self-signed CA. */
    static final String CA_DN = "CN=floe-ca";
    /** Subject of the broker's certificate; its principal is {@code User:CN=floe-broker}. */
    static final String BROKER_DN = "CN=floe-broker";

    static final String CA_KEYSTORE = "ca.p12";
    static final String CA_CERT = "ca.pem";
    static final String BROKER_KEYSTORE = "broker.p12";

    private static final String VALIDITY_DAYS = "3650";
    private static final long KEYTOOL_TIMEOUT_S = 60;

    private final Path dir;
    private final String storePassword;

    private BrokerCertificates(Path dir, String storePassword) {
        this.dir = dir;
        this.storePassword = storePassword;
    }

    /**
     * The certificates in {@code dir}, generated there first unless the broker keystore exists
     * already; {@code storePassword} protects both PKCS#12 files.
     */
    static BrokerCertificates inDirectory(Path dir, String storePassword) {
        BrokerCertificates certs = new BrokerCertificates(dir, storePassword);
        if (!Files.isRegularFile(certs.brokerKeystore()) || !Files.isRegularFile(certs.caCertificate())) {
            certs.generate();
        }
        return certs;
    }

    /** The broker's PKCS#12 keystore (key and chain up to the CA). */
    Path brokerKeystore() {
        return dir.resolve(BROKER_KEYSTORE);
    }

    /** The CA certificate as PEM: the truststore of broker and clients. */
    Path caCertificate() {
        return dir.resolve(CA_CERT);
    }

    /** Password of the PKCS#12 files (and of the key inside them). */
    String storePassword() {
        return storePassword;
    }

    private void generate() {
        Path caStore = dir.resolve(CA_KEYSTORE);
        Path csr = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.pem");
        Path chain = dir.resolve("broker-chain.pem");
        try {
            Files.createDirectories(dir);
            for (Path p : List.of(caStore, caCertificate(), brokerKeystore(), csr, signed, chain)) {
                Files.deleteIfExists(p); // a half-made set from an interrupted start
            }
            keytool("-genkeypair", "-alias", "ca", "-dname", CA_DN, "-ext", "bc:c", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-validity", VALIDITY_DAYS, "-keystore", caStore.toString());
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-file", caCertificate().toString());
            keytool("-genkeypair", "-alias", "broker", "-dname", BROKER_DN, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-validity", VALIDITY_DAYS, "-keystore", brokerKeystore().toString());
            keytool("-certreq", "-alias", "broker", "-keystore", brokerKeystore().toString(), "-file", csr.toString());
            keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-infile", csr.toString(),
                    "-outfile", signed.toString(), "-validity", VALIDITY_DAYS, "-ext", "SAN=ip:127.0.0.1,dns:localhost");
            // a reply holding the whole chain installs without asking whether to trust the CA
            Files.writeString(chain, Files.readString(signed) + Files.readString(caCertificate()));
            keytool("-importcert", "-alias", "broker", "-keystore", brokerKeystore().toString(), "-file", chain.toString());
            Files.delete(csr);
            Files.delete(signed);
            Files.delete(chain);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's certificates in " + dir, e);
        }
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(keytoolExecutable());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", storePassword, "-noprompt"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        try {
            if (!process.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish within " + KEYTOOL_TIMEOUT_S + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed (rc=" + process.exitValue() + "):\n" + output);
        }
    }

    /** The keytool of the JDK running this JVM, so that no PATH lookup can pick another. */
    private static String keytoolExecutable() {
        Path javaHome = Path.of(System.getProperty("java.home"));
        boolean windows = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");
        Path keytool = javaHome.resolve("bin").resolve(windows ? "keytool.exe" : "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IllegalStateException("no keytool at " + keytool + ": run the secured broker on a JDK or JRE that has bin/keytool");
        }
        return keytool.toString();
    }
}
