package io.floe.deploy.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Starts an {@link EmbeddedKafkaBroker} from its {@link EmbeddedKafkaBroker.Builder}'s options:
 * creates (or reuses) the root directory, picks ports, writes {@code server.properties}, formats
 * the storage, starts the server and waits until it serves requests. A secured broker
 * ({@link BrokerSecurity}) gets its certificates and passwords first, and its administrator's SCRAM
 * credential when the storage is formatted.
 *
 * <p>Randomly picked ports may be taken between probing and binding, so a bind failure is retried
 * on new ports (up to {@value #MAX_PORT_ATTEMPTS} times). After a failed start the directory this
 * launcher created is deleted, unless Kafka could not be stopped: deleting under a live broker
 * would halt the JVM, so the directory then stays.
 */
final class BrokerLauncher {
    private static final int MAX_PORT_ATTEMPTS = 3;

    /** What a {@link EmbeddedKafkaBroker.Builder} was told; 0 ports pick free ones, null picks the default. */
    record Options(int port, int controllerPort, Path dataDir, Boolean deleteDataDirOnClose,
                   Map<String, String> brokerProperties, boolean quietLogging, Duration startupTimeout,
                   Duration shutdownTimeout, String clusterId, boolean closeOnJvmExit, boolean saslSsl) {
        Options {
            brokerProperties = Map.copyOf(brokerProperties);
        }

        /** These options with what a started broker settled on, so that starting them again brings back the same broker. */
        Options sameBroker(Path root, int clientPort, int ctrlPort, boolean deleteOnClose, String cid) {
            return new Options(clientPort, ctrlPort, root, deleteOnClose, brokerProperties, quietLogging, startupTimeout,
                    shutdownTimeout, cid, closeOnJvmExit, saslSsl);
        }
    }

    private final Options options;
    /** Set when a failed start could not stop Kafka: its directory must then stay. */
    private boolean brokerLeftRunning;

    private BrokerLauncher(Options options) {
        this.options = options;
    }

    /**
     * Formats storage, starts the broker and returns once it serves requests.
     *
     * @throws IllegalStateException if the broker does not come up within the startup timeout
     */
    static EmbeddedKafkaBroker start(Options options) {
        return new BrokerLauncher(options).start();
    }

    private EmbeddedKafkaBroker start() {
        if (options.quietLogging()) {
            KafkaLogging.quiet();
        }
        long t0 = System.nanoTime();
        boolean ownsDir = options.dataDir() == null;
        Path root;
        try {
            root = ownsDir ? Files.createTempDirectory("floe-kafka-") : Files.createDirectories(options.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory", e);
        }
        boolean deleteOnClose = options.deleteDataDirOnClose() != null ? options.deleteDataDirOnClose() : ownsDir;
        boolean randomPorts = options.port() == 0 || options.controllerPort() == 0;
        // an already formatted data dir keeps its cluster id (restart on the same data)
        String existing = BrokerProperties.formattedClusterId(root);
        if (options.saslSsl() && existing != null && !Files.isDirectory(root.resolve(BrokerSecurity.DIR_NAME))) {
            // the administrator's SCRAM credential is written only when the storage is formatted
            throw new IllegalStateException("Kafka data directory " + root + " was formatted without SASL_SSL, so it has no "
                    + BrokerSecurity.ADMIN_USER + " credential: start the secured broker on a fresh data directory");
        }
        String cid = options.clusterId() != null ? options.clusterId() : existing != null ? existing : Uuid.randomUuid().toString();
        RuntimeException last = null;
        try {
            // certificates and passwords are made once per directory and kept across restarts
            BrokerSecurity security = options.saslSsl() ? BrokerSecurity.prepare(root) : null;
            for (int attempt = 1; attempt <= (randomPorts ? MAX_PORT_ATTEMPTS : 1); attempt++) {
                int clientPort = options.port() != 0 ? options.port() : FreePorts.pick();
                int ctrlPort = options.controllerPort() != 0 ? options.controllerPort() : FreePorts.pick(clientPort);
                try {
                    return startOnce(root, security, deleteOnClose, clientPort, ctrlPort, cid, t0);
                } catch (RuntimeException e) {
                    last = e;
                    if (brokerLeftRunning || !FreePorts.isBindFailure(e)) {
                        break;
                    }
                    // a picked port was taken between probing and binding: try new ports
                }
            }
        } catch (RuntimeException | Error e) {
            if (ownsDir && !brokerLeftRunning) {
                DataDirCleanup.deleteRecursively(root);
            }
            throw e;
        }
        // only a directory created here: a given one (a restart's among them) keeps its data
        if (ownsDir && !brokerLeftRunning) {
            DataDirCleanup.deleteRecursively(root);
        }
        throw last;
    }

    private EmbeddedKafkaBroker startOnce(Path root, BrokerSecurity security, boolean deleteOnClose, int clientPort,
                                          int ctrlPort, String cid, long t0) {
        long deadline = t0 + options.startupTimeout().toNanos();
        Properties props = BrokerProperties.singleNode(root, clientPort, ctrlPort, security, options.brokerProperties());
        Path configFile = BrokerProperties.write(props, root);
        String formattedClusterId = KRaftServerLifecycle.format(configFile, cid,
                security == null ? List.of() : security.formatArguments());
        Map<String, Object> clientSecurity = security == null ? Map.of() : security.clientProperties(BrokerSecurity.ADMIN_USER);

        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
        try {
            KRaftServerLifecycle.startup(server, deadline);
            KRaftServerLifecycle.awaitReady(clientPort, clientSecurity, deadline, options.startupTimeout());
        } catch (RuntimeException | Error e) {
            if (!KRaftServerLifecycle.shutdown(server, options.shutdownTimeout())) {
                brokerLeftRunning = true;
            }
            throw e;
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, security, root, deleteOnClose, clientPort, ctrlPort,
                formattedClusterId, Duration.ofNanos(System.nanoTime() - t0), options.shutdownTimeout(),
                options.sameBroker(root, clientPort, ctrlPort, deleteOnClose, formattedClusterId));
        if (options.closeOnJvmExit()) {
            broker.closeOnJvmExit();
        }
        return broker;
    }
}
