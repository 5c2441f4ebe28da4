package io.floe.deploy.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * SASL_SSL with SCRAM-SHA-512 and ACLs for an {@link EmbeddedKafkaBroker}
 * ({@link EmbeddedKafkaBroker.Builder#saslSsl(boolean)}): what the broker is configured with and
 * what its clients need.
 *
 * <ul>
 *   <li>Clients reach the {@value #CLIENT_LISTENER} listener: TLS with the broker's certificate
 *       ({@link BrokerCertificates}), then SCRAM-SHA-512 names the principal {@code User:<name>}.
 *       The broker also talks to itself there (transaction markers) as {@value #ADMIN_USER}.</li>
 *   <li>The KRaft {@code CONTROLLER} listener takes TLS with a client certificate (mutual TLS):
 *       only the broker's own certificate, principal {@code User:CN=floe-broker}, gets in. SCRAM
 *       cannot serve there, since its credentials live in the metadata the controller serves.</li>
 *   <li>{@code StandardAuthorizer} checks every request against the ACLs in the metadata log; a
 *       resource without ACLs is denied. The broker and {@value #ADMIN_USER} are super users.</li>
 *   <li>{@value #ADMIN_USER}'s SCRAM credential is written into the metadata log when the storage
 *       is formatted ({@code kafka-storage format --add-scram}): it exists before the broker
 *       starts, so it can create the other users and their ACLs ({@link FloeAcls}).</li>
 * </ul>
 *
 * <p>Passwords are random and kept, with the certificates, in {@code <data dir>/}{@value #DIR_NAME}
 * (readable by the owner only), so a restart on the same data keeps every credential.
 */
public final class BrokerSecurity {
    /** The SASL mechanism of the client listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The client listener's name (and protocol). */
    public static final String CLIENT_LISTENER = "SASL_SSL";
    /** The super user that administers users and ACLs. */
    public static final String ADMIN_USER = "floe-admin";
    /** Directory under the broker's root holding certificates and passwords. */
    public static final String DIR_NAME = "security";

    private static final String CREDENTIALS_FILE = "credentials.properties";
    private static final String STORE_PASSWORD_KEY = "keystore";
    private static final String USER_KEY_PREFIX = "user.";

    private final Path dir;
    private final Properties credentials;
    private final BrokerCertificates certificates;

    private BrokerSecurity(Path dir, Properties credentials) {
        this.dir = dir;
        this.credentials = credentials;
        this.certificates = BrokerCertificates.inDirectory(dir, secret(STORE_PASSWORD_KEY));
    }

    /** The security of the broker rooted at {@code root}: loaded from its directory, or made there first. */
    static BrokerSecurity prepare(Path root) {
        Path dir = root.resolve(DIR_NAME);
        Properties credentials = new Properties();
        Path file = dir.resolve(CREDENTIALS_FILE);
        try {
            Files.createDirectories(dir);
            try {
                // the CA's and the broker's private keys and the passwords: the owner's only
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    credentials.load(in);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return new BrokerSecurity(dir, credentials);
    }

    /** Where the certificates and passwords are. */
    public Path directory() {
        return dir;
    }

    /** The CA certificate (PEM) every client must trust. */
    public Path truststore() {
        return certificates.caCertificate();
    }

    /**
     * {@code user}'s SCRAM password: the one kept for it, or a new random one that is kept from
     * now on. Creating the user on the broker is {@link FloeAcls}' part.
     */
    public synchronized String password(String user) {
        Objects.requireNonNull(user, "user");
        return secret(USER_KEY_PREFIX + user);
    }

    /**
     * What a client authenticating as {@code user} sets next to {@code bootstrap.servers}:
     * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config} and the PEM
     * truststore.
     */
    public Map<String, Object> clientProperties(String user) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaasConfig(user, password(user)));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", truststore().toAbsolutePath().toString());
        return p;
    }

    /** The broker settings: TLS stores, SCRAM on the client listener, mutual TLS for the controller, the authorizer. */
    Map<String, String> brokerProperties() {
        String listener = "listener.name." + CLIENT_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        String controller = "listener.name." + EmbeddedKafkaBroker.CONTROLLER_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", certificates.brokerKeystore().toAbsolutePath().toString());
        p.put("ssl.keystore.password", certificates.storePassword());
        p.put("ssl.key.password", certificates.storePassword());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", truststore().toAbsolutePath().toString());
        p.put(controller + "ssl.client.auth", "required");
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put(listener + MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                jaasConfig(ADMIN_USER, password(ADMIN_USER)));
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", "User:" + BrokerCertificates.BROKER_DN + ";User:" + ADMIN_USER);
        return p;
    }

    /** Extra arguments of {@code kafka-storage format}: {@value #ADMIN_USER}'s SCRAM credential. */
    List<String> formatArguments() {
        return List.of("--add-scram", MECHANISM + "=[name=" + ADMIN_USER + ",password=" + password(ADMIN_USER) + "]");
    }

    private static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The secret under {@code key}, drawn (32 hex digits, safe in JAAS and in format arguments) and saved when missing. */
    private synchronized String secret(String key) {
        String value = credentials.getProperty(key);
        if (value != null) {
            return value;
        }
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        value = HexFormat.of().formatHex(bytes);
        credentials.setProperty(key, value);
        save();
        return value;
    }

    private void save() {
        Path file = dir.resolve(CREDENTIALS_FILE);
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own permissions protect it
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                credentials.store(out, "SCRAM and keystore passwords of this broker; keep private");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
