package io.floe.deploy.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Apache Kafka 4.2 broker running inside this JVM, in KRaft combined mode
 * ({@code process.roles=broker,controller}, one node, static single-voter quorum).
 *
 * <p>It is the production {@link KafkaRaftServer} from {@code kafka_2.13}: the storage directory
 * is formatted with the same code path as {@code kafka-storage.sh format}, then the server is
 * started and {@link Builder#start()} waits until an {@link Admin#describeCluster()} sees the
 * broker before returning ({@link BrokerLauncher}, {@link KRaftServerLifecycle}). Everything
 * listens on 127.0.0.1 only: a {@code PLAINTEXT} listener for clients and a {@code CONTROLLER}
 * listener for the KRaft quorum.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *     TopicAdmin.createFloeTopics(kafka.bootstrapServers(), TopicNames.defaults(), 4);
 *     ...
 * }
 * }</pre>
 *
 * <p>Defaults are single-node friendly (replication factor 1 everywhere, transaction and offsets
 * topics with one partition, no initial rebalance delay, transaction timeouts up to one hour so
 * Flink's exactly-once {@code KafkaSink} default of 1 h is accepted). Anything can be overridden
 * with {@link Builder#brokerProperty(String, Object)} ({@link BrokerProperties}).
 *
 * <p>{@link Builder#saslSsl(boolean)} secures it ({@link BrokerSecurity}): clients then reach a
 * {@code SASL_SSL} listener with SCRAM-SHA-512 and TLS, the controller listener takes only the
 * broker's own certificate, and {@code StandardAuthorizer} enforces ACLs, which {@link FloeAcls}
 * sets for floe's principals:
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().saslSsl(true).start();
 *      Admin admin = kafka.createAdmin()) {            // as the super user floe-admin
 *     BrokerSecurity security = kafka.security().orElseThrow();
 *     FloeAcls.forTopics(TopicNames.defaults()).apply(admin, security, Duration.ofSeconds(30));
 *     Map<String, Object> trainer = security.clientProperties(FloePrincipal.TRAINER.userName());
 * }
 * }</pre>
 *
 * <p>Only one broker per {@link #start()} call; several brokers may run in one JVM at the same
 * time (each gets its own ports and directory), but they do not form a cluster.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** Node id of the single combined broker/controller. */
    public static final int NODE_ID = 1;
    /** Name of the client listener of a broker without security ({@link BrokerSecurity#CLIENT_LISTENER} with). */
    public static final String CLIENT_LISTENER = "PLAINTEXT";
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final String HOST = BrokerProperties.HOST;

    private final KafkaRaftServer server;
    /** Null for a PLAINTEXT broker without ACLs. */
    private final BrokerSecurity security;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final Duration startupDuration;
    private final Duration shutdownTimeout;
    /** The options that start this same broker again ({@link #stopForRestart()}). */
    private final BrokerLauncher.Options sameBroker;
    private final Object closeLock = new Object();
    private volatile boolean closed;
    private volatile Thread shutdownHook;

    EmbeddedKafkaBroker(KafkaRaftServer server, BrokerSecurity security, Path dataDir, boolean deleteDataDirOnClose,
                                int port, int controllerPort, String clusterId,
                                Duration startupDuration, Duration shutdownTimeout, BrokerLauncher.Options sameBroker) {
        this.server = server;
        this.security = security;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.startupDuration = startupDuration;
        this.shutdownTimeout = shutdownTimeout;
        this.sameBroker = sameBroker;
    }

    /** Starts a broker with all defaults: free ports, fresh temp dir (deleted on close), quiet logs. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code "127.0.0.1:PORT"} of the client listener (PLAINTEXT, or SASL_SSL when secured). */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** Port of the client listener. */
    public int port() {
        return port;
    }

    /** Port of the KRaft CONTROLLER listener (not for clients). */
    public int controllerPort() {
        return controllerPort;
    }

    /** Root directory of this broker: {@code server.properties} and the {@code logs/} data dir. */
    public Path dataDir() {
        return dataDir;
    }

    /** Cluster id the storage was formatted with (or found in an already formatted data dir). */
    public String clusterId() {
        return clusterId;
    }

    /** Wall time {@link Builder#start()} took, from formatting to "describeCluster sees the broker". */
    public Duration startupDuration() {
        return startupDuration;
    }

    public boolean isRunning() {
        return !closed;
    }

    /** The broker's certificates and credentials; empty for a PLAINTEXT broker. */
    public Optional<BrokerSecurity> security() {
        return Optional.ofNullable(security);
    }

    /**
     * Minimal client properties to build producers, consumers, admins: {@code bootstrap.servers},
     * and on a secured broker the super user {@link BrokerSecurity#ADMIN_USER}'s credentials (for
     * another principal, see {@link BrokerSecurity#clientProperties(String)}).
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (security != null) {
            props.putAll(security.clientProperties(BrokerSecurity.ADMIN_USER));
        }
        return props;
    }

    /** A new {@link Admin} for this broker (the super user on a secured one); the caller closes it. */
    public Admin createAdmin() {
        return Admin.create(clientProperties());
    }

    /**
     * Shuts the broker down (controlled shutdown of broker then controller) and, if the data
     * directory was created by this class (or {@link Builder#deleteDataDirOnClose(boolean)} was
     * set), deletes it. Waits at most the shutdown timeout (default 20 s, typically well under 2 s)
     * for Kafka; if Kafka has not finished by then, close() returns anyway, Kafka's threads are left
     * to finish on their own and the directory is left in place (deleting it under a live broker
     * would make Kafka fail its metadata log dir, which halts the JVM). Idempotent.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
            removeShutdownHook();
            boolean stopped = KRaftServerLifecycle.shutdown(server, shutdownTimeout);
            if (deleteDataDirOnClose) {
                if (stopped) {
                    DataDirCleanup.deleteRecursively(dataDir);
                } else {
                    // deleting files under a still running broker makes it fail its metadata log dir,
                    // and Kafka then halts the JVM: leave the directory behind instead
                    System.err.println("[floe] embedded Kafka broker did not stop within " + shutdownTimeout
                            + "; leaving " + dataDir + " in place");
                }
            }
        }
    }

    /**
     * Stops the broker as {@link #close()} does but keeps its data directory, whatever close() would
     * do with it, and returns a builder for the same broker: its ports, data directory, cluster id
     * and properties, and the same choice about deleting the directory on a later close(). Its
     * {@link Builder#start()} brings the broker back, so every client configured for it reconnects
     * and finds its topics, offsets and open transactions again (an outage, as a failover test or
     * {@code ./floe demo --chaos broker-outage} injects one).
     *
     * <pre>{@code
     * EmbeddedKafkaBroker.Builder again = broker.stopForRestart();
     * ... // clients retry
     * broker = again.start();
     * }</pre>
     *
     * @throws IllegalStateException if the broker was closed already, or did not stop within the
     *     shutdown timeout (it may still hold its ports)
     */
    public Builder stopForRestart() {
        synchronized (closeLock) {
            if (closed) {
                throw new IllegalStateException("broker " + bootstrapServers() + " is closed already; stop it for a restart only once");
            }
            closed = true;
            removeShutdownHook();
            if (!KRaftServerLifecycle.shutdown(server, shutdownTimeout)) {
                throw new IllegalStateException("embedded Kafka broker did not stop within " + shutdownTimeout
                        + "; it may still hold port " + port + ", so it cannot be restarted there");
            }
            return new Builder(sameBroker);
        }
    }

    /** Registers a JVM shutdown hook that closes this broker; an explicit close() removes it again. */
    void closeOnJvmExit() {
        Thread hook = new Thread(this::close, "embedded-kafka-jvm-exit");
        shutdownHook = hook;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // JVM already shutting down
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker{" + bootstrapServers() + ", controller=" + HOST + ":" + controllerPort
                + ", dataDir=" + dataDir + ", clusterId=" + clusterId + (closed ? ", closed" : "") + "}";
    }

    // ------------------------------------------------------------------------------------------

    /** Options for {@link EmbeddedKafkaBroker}. */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path dataDir;
        private Boolean deleteDataDirOnClose;
        private final Map<String, String> extraProperties = new LinkedHashMap<>();
        private boolean quietLogging = true;
        private Duration startupTimeout = Duration.ofSeconds(60);
        private Duration shutdownTimeout = Duration.ofSeconds(20);
        private String clusterId;
        private boolean closeOnJvmExit;
        private boolean saslSsl;

        private Builder() {
        }

        /** A builder holding {@code options} (those of a started broker, to start it again). */
        private Builder(BrokerLauncher.Options options) {
            this.port = options.port();
            this.controllerPort = options.controllerPort();
            this.dataDir = options.dataDir();
            this.deleteDataDirOnClose = options.deleteDataDirOnClose();
            this.extraProperties.putAll(options.brokerProperties());
            this.quietLogging = options.quietLogging();
            this.startupTimeout = options.startupTimeout();
            this.shutdownTimeout = options.shutdownTimeout();
            this.clusterId = options.clusterId();
            this.closeOnJvmExit = options.closeOnJvmExit();
            this.saslSsl = options.saslSsl();
        }

        /** Client listener port; 0 (default) picks a free port. */
        public Builder port(int port) {
            this.port = FreePorts.check(port);
            return this;
        }

        /** KRaft controller port; 0 (default) picks a free port. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = FreePorts.check(controllerPort);
            return this;
        }

        /**
         * Root directory to use instead of a fresh temp dir. It is created if missing and formatted
         * unless already formatted (so a broker can be restarted on the same data). A directory
         * given here is <em>not</em> deleted on close unless {@link #deleteDataDirOnClose(boolean)}
         * says so.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Whether close() deletes the data dir. Default: true for the temp dir, false for {@link #dataDir}. */
        public Builder deleteDataDirOnClose(boolean delete) {
            this.deleteDataDirOnClose = delete;
            return this;
        }

        /** Any broker config ({@code server.properties} key); overrides the defaults. */
        public Builder brokerProperty(String key, Object value) {
            extraProperties.put(Objects.requireNonNull(key, "key"), String.valueOf(Objects.requireNonNull(value, key)));
            return this;
        }

        public Builder brokerProperties(Map<String, ?> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        /** Raise Kafka's loggers to WARN (see {@link KafkaLogging#quiet()}). Default true. */
        public Builder quietLogging(boolean quiet) {
            this.quietLogging = quiet;
            return this;
        }

        /** Upper bound for formatting + startup + readiness check. Default 60 s. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = requirePositive(timeout);
            return this;
        }

        /** Upper bound close() waits for Kafka's shutdown. Default 20 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = requirePositive(timeout);
            return this;
        }

        /** Cluster id used when formatting (a random one by default); 22-char base64 Kafka Uuid. */
        public Builder clusterId(String clusterId) {
            this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
            return this;
        }

        /**
         * Register a JVM shutdown hook that calls {@link #close()} (so Ctrl-C on a demo still stops
         * the broker and removes its temp dir). Removed again by an explicit close(). Default false.
         */
        public Builder closeOnJvmExit(boolean closeOnJvmExit) {
            this.closeOnJvmExit = closeOnJvmExit;
            return this;
        }

        /**
         * Whether clients must use SASL_SSL (SCRAM-SHA-512 over TLS) and pass ACLs
         * ({@link BrokerSecurity}); certificates and passwords are made in the data directory at
         * the first start. Default false: PLAINTEXT, no authorizer.
         */
        public Builder saslSsl(boolean saslSsl) {
            this.saslSsl = saslSsl;
            return this;
        }

        /**
         * Formats storage, starts the broker and returns once it serves requests.
         *
         * @throws IllegalStateException if the broker does not come up within the startup timeout
         */
        public EmbeddedKafkaBroker start() {
            return BrokerLauncher.start(new BrokerLauncher.Options(port, controllerPort, dataDir, deleteDataDirOnClose,
                    extraProperties, quietLogging, startupTimeout, shutdownTimeout, clusterId, closeOnJvmExit, saslSsl));
        }

        private static Duration requirePositive(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + d);
            }
            return d;
        }
    }
}
