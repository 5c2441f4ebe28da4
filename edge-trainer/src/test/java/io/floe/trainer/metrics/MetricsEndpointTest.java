package io.floe.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The endpoint on an ephemeral loopback port, scraped over real HTTP. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void servesTheTrainersMetricsOnLoopbackInTheTextFormat() throws Exception {
        // Prepare: a trainer that has published one round
        AtomicLong retries = new AtomicLong(2);
        TrainerMetrics metrics = new TrainerMetrics("wdbc", "site-1", () -> 7, retries::get);
        metrics.published(TrainerMetricsTest.update(7, Map.of("loss", 0.25, "accuracy", 0.875)));

        try (MetricsEndpoint endpoint = MetricsEndpoint.start(MetricsEndpoint.DEFAULT_BIND, 0, metrics::scrape)) {
            // Execute
            HttpResponse<String> first = get(endpoint.url());
            retries.set(3);
            HttpResponse<String> second = get(endpoint.url());

            // Assert
            assertThat(endpoint.port()).isPositive();
            assertThat(endpoint.url()).isEqualTo("http://127.0.0.1:" + endpoint.port() + "/metrics");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.headers().firstValue("Content-Type")).hasValue(PrometheusText.CONTENT_TYPE);
            assertThat(first.body())
                    .contains("# TYPE floe_trainer_rounds_total counter\n")
                    .contains("floe_trainer_rounds_total{model_id=\"wdbc\",client_id=\"site-1\"} 1\n")
                    .contains("floe_trainer_last_version{model_id=\"wdbc\",client_id=\"site-1\"} 7\n")
                    .contains("floe_trainer_local_accuracy{model_id=\"wdbc\",client_id=\"site-1\"} 0.875\n")
                    .contains("floe_trainer_publish_retries_total{model_id=\"wdbc\",client_id=\"site-1\"} 2\n");
            assertThat(second.body()).contains("floe_trainer_publish_retries_total{model_id=\"wdbc\",client_id=\"site-1\"} 3\n");
        }
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, () -> "up 1\n")) {
            String base = "http://127.0.0.1:" + endpoint.port();

            HttpResponse<String> notFound = get(base + "/");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(notFound.statusCode()).isEqualTo(404);
            assertThat(notFound.body()).contains("/metrics");
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void aTakenPortFailsToStartAndClosingFreesIt() throws Exception {
        MetricsEndpoint first = MetricsEndpoint.start("127.0.0.1", 0, () -> "");
        int port = first.port();
        try {
            assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", port, () -> "")).isInstanceOf(BindException.class);
        } finally {
            first.close();
        }
        assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", 70_000, () -> ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
