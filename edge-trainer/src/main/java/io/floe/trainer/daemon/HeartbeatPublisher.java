package io.floe.trainer.daemon;

import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientHeartbeat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one client's {@link ClientHeartbeat}s for one model to the clients topic, keyed by model id
 * (so they reach the job's keyed state for that model). A send does not wait for the broker: a
 * lost heartbeat only makes the client look unavailable until the next one, so failures are logged
 * and never stop the trainer.
 */
public final class HeartbeatPublisher implements Heartbeat, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPublisher.class);

    private final String topic;
    private final String modelId;
    private final String clientId;
    private final long numExamples;
    private final KafkaProducer<byte[], byte[]> producer;

    /** @param numExamples local training examples announced with each heartbeat; 0 = not told */
    public HeartbeatPublisher(String bootstrapServers, String clientsTopic, String modelId, String clientId,
            long numExamples, Properties extra) {
        this.topic = Objects.requireNonNull(clientsTopic, "clientsTopic");
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.numExamples = numExamples;
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void beat() {
        ClientHeartbeat beat = ClientHeartbeat.newBuilder()
                .setClientId(clientId)
                .setModelId(modelId)
                .setSentAt(Instant.now())
                .setNumExamples(numExamples)
                .build();
        producer.send(new ProducerRecord<>(topic, modelId.getBytes(StandardCharsets.UTF_8),
                WireCodec.CLIENT_HEARTBEAT.encode(beat)), (metadata, e) -> {
                    if (e != null) {
                        LOG.warn("{}: heartbeat for model {} not sent: {}", clientId, modelId, e.toString());
                    }
                });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
