package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.schema.ModelUpdate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A publisher whose broker never answers keeps retrying past the producer's own timeouts, and
 * closing it ends the wait. (The broker coming back is {@code TrainerBrokerOutageITCase} in deploy.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpdatePublisherTest {

    @Test
    void keepsRetryingPastTheProducersTimeoutsUntilClosed() throws Exception {
        // Prepare: nothing listens on the port; the producer gives up on each attempt within ~0.3 s
        Properties shortTimeouts = new Properties();
        shortTimeouts.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "200");
        shortTimeouts.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "200");
        shortTimeouts.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300");
        UpdatePublisher publisher = new UpdatePublisher("127.0.0.1:" + closedPort(), "floe.updates", shortTimeouts,
                new PublishRetry(Duration.ofMillis(10), Duration.ofMillis(50), 1L));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread publishing = new Thread(() -> {
            try {
                publisher.publish(update("u-unreachable"));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });

        // Execute: several producer timeouts long
        publishing.start();
        publishing.join(2_000);
        boolean stillRetrying = publishing.isAlive();
        Throwable beforeClose = thrown.get();
        publisher.close();
        publishing.join(10_000);

        // Assert: it neither failed nor returned while no broker answered; close ended it
        assertThat(beforeClose).as("failure before close").isNull();
        assertThat(stillRetrying).as("still retrying after 2 s").isTrue();
        assertThat(publishing.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(PublishRetry.StoppedException.class).hasMessageContaining("u-unreachable");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    static ModelUpdate update(String updateId) {
        return ModelUpdate.newBuilder()
                .setUpdateId(updateId)
                .setModelId("m")
                .setClientId("alice")
                .setBaseVersion(0)
                .setNumExamples(1)
                .setCreatedAt(Instant.EPOCH)
                .setTensors(List.of())
                .setMetrics(Map.of())
                .build();
    }
}
