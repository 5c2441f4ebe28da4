package io.floe.deploy.kafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * The steps of a {@link KafkaRaftServer}'s life, each bounded in time: formatting its storage
 * (the code path of {@code kafka-storage.sh format}), starting it, waiting until an
 * {@link Admin#describeCluster()} sees it, and shutting it down. Kafka's own calls run on daemon
 * threads, so a call that hangs leaves its thread behind instead of the caller.
 */
final class KRaftServerLifecycle {
    private KRaftServerLifecycle() {
    }

    /**
     * Formats the storage named in {@code configFile} unless already formatted; returns the cluster id.
     *
     * @param extraArguments more arguments of {@code kafka-storage format}, e.g. {@code --add-scram}
     */
    static String format(Path configFile, String clusterId, List<String> extraArguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of(
                "format", "--config", configFile.toString(), "--cluster-id", clusterId, "--ignore-formatted"));
        args.addAll(extraArguments);
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            try {
                rc = StorageTool.execute(args.toArray(String[]::new), ps);
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

    /** Starts the server, failing when its startup has not returned by {@code deadline} (System.nanoTime). */
    static void startup(KafkaRaftServer server, long deadline) {
        runBounded("embedded-kafka-startup", server::startup, remaining(deadline));
    }

    /**
     * Waits until the broker on {@code clientPort} answers describeCluster with its node.
     *
     * @param clientSecurity what a client of that port needs besides its address (empty for PLAINTEXT)
     * @param startupTimeout only for the message when the deadline passes
     */
    static void awaitReady(int clientPort, Map<String, Object> clientSecurity, long deadline, Duration startupTimeout) {
        String bootstrap = BrokerProperties.HOST + ":" + clientPort;
        Map<String, Object> conf = new LinkedHashMap<>(clientSecurity);
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
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
                    if (nodes.stream().map(Node::id).anyMatch(id -> id == EmbeddedKafkaBroker.NODE_ID)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
                }
                sleep(50);
            }
        }
        throw new IllegalStateException("embedded Kafka broker on " + bootstrap + " not ready within " + startupTimeout, lastError);
    }

    /**
     * Shuts the server down (controlled shutdown of broker then controller) and waits for it.
     *
     * @return false if Kafka was still shutting down when the timeout expired
     */
    static boolean shutdown(KafkaRaftServer server, Duration timeout) {
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

    static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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

    private static final class BoundedTimeout extends IllegalStateException {
        BoundedTimeout(String message) {
            super(message);
        }
    }
}
