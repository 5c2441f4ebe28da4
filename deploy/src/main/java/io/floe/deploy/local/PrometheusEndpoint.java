package io.floe.deploy.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Iterator;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.NetUtils;

/**
 * The embedded cluster's Prometheus endpoint: Flink's {@code PrometheusReporter} (from
 * flink-metrics-prometheus) serving every metric of the MiniCluster, floe's per-model metrics
 * among them, at {@code http://<host>:<port>/metrics}.
 *
 * <p>The reporter itself takes a port range and binds the first free port, but does not say which
 * one it took; this class probes the range first and hands the reporter that single port, so the
 * demo can print the scrape URL. Another process may take the port in between, in which case the
 * cluster fails to start and says so. The reporter listens on all interfaces (it has no bind
 * address option); the URL names the loopback address.
 *
 * <p>{@code flink-conf} equivalent: {@code metrics.reporter.prom.factory.class:
 * org.apache.flink.metrics.prometheus.PrometheusReporterFactory} and {@code metrics.reporter.prom.port: 9249-9260}.
 */
public final class PrometheusEndpoint {
    /** Prometheus's registered default port for Flink and the next few, as in the demo's --metrics-port. */
    public static final String DEFAULT_PORTS = "9249-9260";
    static final String REPORTER = "prom";
    static final String FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final ConfigOption<String> FACTORY_CLASS =
            ConfigOptions.key("metrics.reporter." + REPORTER + ".factory.class").stringType().noDefaultValue();
    private static final ConfigOption<String> PORT =
            ConfigOptions.key("metrics.reporter." + REPORTER + ".port").stringType().noDefaultValue();

    private final int port;

    private PrometheusEndpoint(int port) {
        this.port = port;
    }

    /**
     * The first port of {@code ports} (a port, a range {@code 9249-9260} or a list {@code 9249,9300})
     * that is free now; {@code 0} for any free port (tests).
     *
     * @throws IllegalArgumentException when {@code ports} does not parse or every port is taken
     */
    public static PrometheusEndpoint firstFree(String ports) {
        Iterator<Integer> candidates;
        try {
            candidates = NetUtils.getPortRangeFromString(ports);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("metrics port '" + ports + "' is not a port, a range such as "
                    + DEFAULT_PORTS + " or a comma-separated list", e);
        }
        while (candidates.hasNext()) {
            int p = candidates.next();
            if (p == 0) {
                return new PrometheusEndpoint(anyFreePort());
            }
            if (isFree(p)) {
                return new PrometheusEndpoint(p);
            }
        }
        throw new IllegalArgumentException("no free port in '" + ports + "' for the Prometheus endpoint; pass another range");
    }

    /** Probes {@code port} on all interfaces, where the reporter binds it. */
    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int anyFreePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port for the Prometheus endpoint", e);
        }
    }

    /** Adds the reporter, on this port, to a cluster's configuration. */
    void configure(Configuration conf) {
        conf.set(FACTORY_CLASS, FACTORY);
        conf.set(PORT, Integer.toString(port));
    }

    public int port() {
        return port;
    }

    /** What Prometheus scrapes, e.g. http://127.0.0.1:9249/metrics. */
    public URI scrapeUrl() {
        return URI.create("http://127.0.0.1:" + port + "/metrics");
    }
}
