package io.floe.trainer.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a scrape on {@code GET /metrics} with the JDK's own HTTP server ({@code com.sun.net.httpserver}),
 * so a trainer needs no web stack. Bound to 127.0.0.1 unless told otherwise: a site's metrics name its
 * model and client and should leave the host only where its operator chooses (a local Prometheus or
 * agent scrapes them). Other paths answer 404, other methods 405. One request at a time, on the
 * server's own thread: a scrape is a few hundred bytes.
 *
 * {@code try (MetricsEndpoint e = MetricsEndpoint.start("127.0.0.1", 9464, metrics::scrape)) { ... }}
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    /** The address the endpoint binds to unless {@code --metrics-bind} says otherwise. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final String PATH = "/metrics";

    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
    }

    /**
     * Binds and starts serving.
     *
     * @param port 0 for any free port ({@link #port()} tells which)
     * @param scrape called once per request for the body
     * @throws IOException when the address cannot be bound, e.g. the port is taken
     */
    public static MetricsEndpoint start(String bindAddress, int port, Supplier<String> scrape) throws IOException {
        Objects.requireNonNull(scrape, "scrape");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics port must be in [0, 65535], was " + port);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
        server.createContext("/", exchange -> handle(exchange, scrape));
        server.start();
        return new MetricsEndpoint(server);
    }

    private static void handle(HttpExchange exchange, Supplier<String> scrape) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                respond(exchange, 404, "not found: metrics are at " + PATH + "\n");
            } else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "method not allowed\n");
            } else {
                exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
                byte[] body = scrape.get().getBytes(StandardCharsets.UTF_8);
                if ("HEAD".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        } catch (RuntimeException e) {
            // a failing scrape must not take the trainer down; the scraper sees the connection close
            LOG.warn("metrics scrape failed: {}", e.toString());
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The bound port (the chosen one when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** E.g. {@code http://127.0.0.1:9464/metrics}. */
    public String url() {
        String host = server.getAddress().getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
