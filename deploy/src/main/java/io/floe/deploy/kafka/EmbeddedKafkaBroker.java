package io.floe.deploy.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real Apache Kafka 4.2 broker running inside this JVM, in KRaft combined mode
 * ({@code process.roles=broker,controller}, one node, static single-voter quorum).
 *
 * <p>It is the production {@link KafkaRaftServer} from {@code kafka_2.13}: the storage directory
 * is formatted with the same code path as {@code kafka-storage.sh format}
 * ({@link StorageTool#execute}), then the server is started and this class waits until an
 * {@link Admin#describeCluster()} sees the broker before returning. Everything listens on
 * 127.0.0.1 only: a {@code PLAINTEXT} listener for clients and a {@code CONTROLLER} listener for
 * the KRaft quorum.
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
 * with {@link Builder#brokerProperty(String, Object)}.
 *
 * <p>Only one broker per {@link #start()} call; several brokers may run in one JVM at the same
 * time (each gets its own ports and directory), but they do not form a cluster.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** Node id of the single combined broker/controller. */
    public static final int NODE_ID = 1;
    public static final String CLIENT_LISTENER = "PLAINTEXT";
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final String HOST = "127.0.0.1";
    private static final int MAX_PORT_ATTEMPTS = 3;
    private static final String LOG_DIR_NAME = "logs";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final Duration startupDuration;
    private final Duration shutdownTimeout;
    private final Object closeLock = new Object();
    private volatile boolean closed;
    private volatile Thread shutdownHook;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean deleteDataDirOnClose,
                                int port, int controllerPort, String clusterId,
                                Duration startupDuration, Duration shutdownTimeout) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.startupDuration = startupDuration;
        this.shutdownTimeout = shutdownTimeout;
    }

    /** Starts a broker with all defaults: free ports, fresh temp dir (deleted on close), quiet logs. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code "127.0.0.1:PORT"} of the PLAINTEXT client listener. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** Port of the PLAINTEXT client listener. */
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

    /** Minimal client properties ({@code bootstrap.servers}) to build producers, consumers, admins. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** A new {@link Admin} for this broker; the caller closes it. */
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
            boolean stopped = shutdownBounded(server, shutdownTimeout);
            if (deleteDataDirOnClose) {
                if (stopped) {
                    deleteRecursively(dataDir);
                } else {
                    // deleting files under a still running broker makes it fail its metadata log dir,
                    // and Kafka then halts the JVM: leave the directory behind instead
                    System.err.println("[floe] embedded Kafka broker did not stop within " + shutdownTimeout
                            + "; leaving " + dataDir + " in place");
                }
            }
        }
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
        /** set when a failed start could not stop Kafka: its directory must then stay. */
        private boolean brokerLeftRunning;

        private Builder() {
        }

        /** Client (PLAINTEXT) port; 0 (default) picks a free port. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** KRaft controller port; 0 (default) picks a free port. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort(controllerPort);
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
         * Formats storage, starts the broker and returns once it serves requests.
         *
         * @throws IllegalStateException if the broker does not come up within the startup timeout
         */
        public EmbeddedKafkaBroker start() {
            brokerLeftRunning = false;
            if (quietLogging) {
                KafkaLogging.quiet();
            }
            long t0 = System.nanoTime();
            boolean ownsDir = dataDir == null;
            Path root;
            try {
                root = ownsDir ? Files.createTempDirectory("floe-kafka-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create Kafka data directory", e);
            }
            boolean deleteOnClose = deleteDataDirOnClose != null ? deleteDataDirOnClose : ownsDir;
            boolean randomPorts = port == 0 || controllerPort == 0;
            // an already formatted data dir keeps its cluster id (restart on the same data)
            String existing = readClusterId(root.resolve(LOG_DIR_NAME).resolve("meta.properties"));
            String cid = clusterId != null ? clusterId : existing != null ? existing : Uuid.randomUuid().toString();
            RuntimeException last = null;
            try {
                for (int attempt = 1; attempt <= (randomPorts ? MAX_PORT_ATTEMPTS : 1); attempt++) {
                    int clientPort = port != 0 ? port : freePort();
                    int ctrlPort = controllerPort != 0 ? controllerPort : freePort(clientPort);
                    try {
                        return startOnce(root, deleteOnClose, clientPort, ctrlPort, cid, t0);
                    } catch (RuntimeException e) {
                        last = e;
                        if (brokerLeftRunning || !isBindFailure(e)) {
                            break;
                        }
                        // a picked port was taken between probing and binding: try new ports
                    }
                }
            } catch (RuntimeException | Error e) {
                if (deleteOnClose && !brokerLeftRunning) {
                    deleteRecursively(root);
                }
                throw e;
            }
            if (deleteOnClose && !brokerLeftRunning) {
                deleteRecursively(root);
            }
            throw last;
        }

        private EmbeddedKafkaBroker startOnce(Path root, boolean deleteOnClose, int clientPort, int ctrlPort,
                                             String cid, long t0) {
            long deadline = t0 + startupTimeout.toNanos();
            Properties props = brokerConfig(root, clientPort, ctrlPort);
            Path configFile = root.resolve("server.properties");
            writeProperties(props, configFile);
            String formattedClusterId = format(configFile, cid);

            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
            try {
                runBounded("embedded-kafka-startup", server::startup, remaining(deadline));
                awaitReady(clientPort, deadline);
            } catch (RuntimeException | Error e) {
                if (!shutdownBounded(server, shutdownTimeout)) {
                    brokerLeftRunning = true;
                }
                throw e;
            }
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, root, deleteOnClose, clientPort, ctrlPort,
                    formattedClusterId, Duration.ofNanos(System.nanoTime() - t0), shutdownTimeout);
            if (closeOnJvmExit) {
                Thread hook = new Thread(broker::close, "embedded-kafka-jvm-exit");
                broker.shutdownHook = hook;
                Runtime.getRuntime().addShutdownHook(hook);
            }
            return broker;
        }

        private Properties brokerConfig(Path root, int clientPort, int ctrlPort) {
            Properties p = new Properties();
            p.setProperty("process.roles", "broker,controller");
            p.setProperty("node.id", String.valueOf(NODE_ID));
            p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ctrlPort);
            p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
            p.setProperty("listeners",
                    CLIENT_LISTENER + "://" + HOST + ":" + clientPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + ctrlPort);
            p.setProperty("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
            p.setProperty("listener.security.protocol.map",
                    CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.setProperty("inter.broker.listener.name", CLIENT_LISTENER);
            p.setProperty("log.dirs", root.resolve(LOG_DIR_NAME).toAbsolutePath().toString());

            // single node: everything replicated once
            p.setProperty("num.partitions", "1");
            p.setProperty("default.replication.factor", "1");
            p.setProperty("min.insync.replicas", "1");
            p.setProperty("offsets.topic.replication.factor", "1");
            p.setProperty("offsets.topic.num.partitions", "1");
            p.setProperty("transaction.state.log.replication.factor", "1");
            p.setProperty("transaction.state.log.min.isr", "1");
            p.setProperty("transaction.state.log.num.partitions", "1");
            p.setProperty("share.coordinator.state.topic.replication.factor", "1");
            p.setProperty("share.coordinator.state.topic.min.isr", "1");
            p.setProperty("group.initial.rebalance.delay.ms", "0");
            // Flink's KafkaSink (EXACTLY_ONCE) defaults to transaction.timeout.ms = 1 h; broker default max is 15 min
            p.setProperty("transaction.max.timeout.ms", "3600000");

            // light footprint, fast start and stop
            p.setProperty("num.network.threads", "2");
            p.setProperty("num.io.threads", "4");
            p.setProperty("background.threads", "4");
            p.setProperty("num.recovery.threads.per.data.dir", "1");
            p.setProperty("num.replica.fetchers", "1");
            p.setProperty("log.cleaner.threads", "1");
            p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
            // check for compactable logs every second instead of every 15 s (compaction visible in demos)
            p.setProperty("log.cleaner.backoff.ms", "1000");
            p.setProperty("controlled.shutdown.enable", "true");

            extraProperties.forEach(p::setProperty);
            return p;
        }

        private static String format(Path configFile, String clusterId) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc;
            try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                try {
                    rc = StorageTool.execute(new String[] {
                            "format", "--config", configFile.toString(), "--cluster-id", clusterId, "--ignore-formatted"}, ps);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("formatting Kafka storage failed: " + e.getMessage()
                            + "\n" + out.toString(StandardCharsets.UTF_8), e);
                }
            }
            if (rc != 0) {
                throw new IllegalStateException("formatting Kafka storage failed (rc=" + rc + "):\n"
                        + out.toString(StandardCharsets.UTF_8));
            }
            return clusterId;
        }

        private static String readClusterId(Path metaProperties) {
            if (!Files.isRegularFile(metaProperties)) {
                return null;
            }
            Properties mp = new Properties();
            try (var in = Files.newInputStream(metaProperties)) {
                mp.load(in);
                return mp.getProperty("cluster.id");
            } catch (IOException e) {
                return null;
            }
        }

        private void awaitReady(int clientPort, long deadline) {
            Map<String, Object> conf = new LinkedHashMap<>();
            conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + clientPort);
            conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
            conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
            conf.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
            conf.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
            conf.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
            conf.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
            Exception lastError = null;
            try (Admin admin = Admin.create(conf)) {
                while (System.nanoTime() < deadline) {
                    try {
                        long timeoutMs = Math.max(100, Math.min(5000, TimeUnit.NANOSECONDS.toMillis(remaining(deadline).toNanos())));
                        var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
                                .nodes().get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
                        if (nodes.stream().map(Node::id).anyMatch(id -> id == NODE_ID)) {
                            return;
                        }
                    } catch (ExecutionException e) {
                        lastError = e;
                    } catch (TimeoutException e) {
                        lastError = e;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
                    }
                    sleep(50);
                }
            }
            throw new IllegalStateException("embedded Kafka broker on " + HOST + ":" + clientPort
                    + " not ready within " + startupTimeout, lastError);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }

        private static Duration requirePositive(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + d);
            }
            return d;
        }
    }

    // ------------------------------------------------------------------------------------------

    private static int freePort(int... avoid) {
        for (int i = 0; i < 10; i++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                int p = s.getLocalPort();
                boolean clash = false;
                for (int a : avoid) {
                    clash |= a == p;
                }
                if (!clash) {
                    return p;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on " + HOST, e);
            }
        }
        throw new IllegalStateException("cannot find a free port on " + HOST);
    }

    private static boolean isBindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException) {
                return true;
            }
            String msg = c.getMessage();
            if (msg != null && (msg.contains("Address already in use") || msg.contains("Socket server failed to bind"))) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private static void writeProperties(Properties props, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, "generated by " + EmbeddedKafkaBroker.class.getName());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** Runs {@code task} on a daemon thread and waits at most {@code timeout}; rethrows its failure. */
    private static void runBounded(String name, Runnable task, Duration timeout) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " interrupted", e);
        }
        if (t.isAlive()) {
            throw new BoundedTimeout(name + " did not finish within " + timeout);
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(name + " failed", e);
        }
    }

    /** @return false if Kafka was still shutting down when the timeout expired */
    private static boolean shutdownBounded(KafkaRaftServer server, Duration timeout) {
        try {
            runBounded("embedded-kafka-shutdown", () -> {
                server.shutdown();
                server.awaitShutdown();
            }, timeout);
            return true;
        } catch (BoundedTimeout e) {
            return false;
        } catch (RuntimeException e) {
            System.err.println("[floe] embedded Kafka broker shutdown problem: " + e);
            return true;
        }
    }

    private static final class BoundedTimeout extends IllegalStateException {
        BoundedTimeout(String message) {
            super(message);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        // a straggling Kafka thread may still create files while we delete: retry a few times
        for (int attempt = 0; attempt < 5 && Files.exists(root); attempt++) {
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                        if (exc instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw exc;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                sleep(100);
            }
        }
        if (Files.exists(root)) {
            System.err.println("[floe] could not fully delete " + root);
        }
    }
}
