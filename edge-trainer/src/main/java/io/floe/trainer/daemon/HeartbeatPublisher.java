package io.floe.trainer.daemon;

import io.floe.core.trust.RecordSignatures;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientHeartbeat;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one client's {@link ClientHeartbeat}s for one model to the clients topic, keyed by model id
 * (so they reach the job's keyed state for that model). A send does not wait for the broker: a
 * lost heartbeat only makes the client look unavailable until the next one, so failures are logged
 * and never stop the trainer.
 *
 * <p>While the broker is away, a beat blocks its (heartbeat) thread at most {@value #MAX_BLOCK_MS}
 * ms for metadata, never the training loop, and failed beats are logged by an {@link OutageLog}:
 * one WARN when they start failing, one INFO when a beat is acknowledged again.
 *
 * <p>Given the client's private key, every heartbeat is signed: a model whose spec requires client
 * authentication counts a client available only on heartbeats signed with its enrolled key.
 */
public final class HeartbeatPublisher implements Heartbeat, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPublisher.class);

    private final String topic;
    private final String modelId;
    private final String clientId;
    private final long numExamples;
    private final PrivateKey clientKey;
    private final KafkaProducer<byte[], byte[]> producer;
    private final OutageLog outage;

    /**
     * Default {@code max.block.ms} of the heartbeat producer: a beat that cannot even find the
     * topic's partitions gives up after this long instead of Kafka's 60 s, so beats during an
     * outage do not pile up behind each other.
     */
    static final int MAX_BLOCK_MS = 5_000;

    /** @param numExamples local training examples announced with each heartbeat; 0 = not told */
    public HeartbeatPublisher(String bootstrapServers, String clientsTopic, String modelId, String clientId,
            long numExamples, Properties extra) {
        this(bootstrapServers, clientsTopic, modelId, clientId, numExamples, extra, null);
    }

    /**
     * A publisher of signed heartbeats.
     *
     * @param numExamples local training examples announced with each heartbeat; 0 = not told
     * @param clientKey the client's Ed25519 private key ({@code --client-key}); null: heartbeats go out unsigned
     */
    public HeartbeatPublisher(String bootstrapServers, String clientsTopic, String modelId, String clientId,
            long numExamples, Properties extra, PrivateKey clientKey) {
        this.clientKey = clientKey;
        this.topic = Objects.requireNonNull(clientsTopic, "clientsTopic");
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.numExamples = numExamples;
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK_MS));
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.outage = new OutageLog(LOG, clientId + ": heartbeats for model " + modelId);
    }

    /** The heartbeat a client sends at {@code sentAt}, signed with {@code clientKey} unless it is null. */
    static ClientHeartbeat heartbeat(String modelId, String clientId, long numExamples, Instant sentAt, PrivateKey clientKey) {
        ClientHeartbeat beat = ClientHeartbeat.newBuilder()
                .setClientId(clientId)
                .setModelId(modelId)
                .setSentAt(sentAt)
                .setNumExamples(numExamples)
                .build();
        return clientKey == null ? beat : RecordSignatures.sign(beat, clientKey);
    }

    @Override
    public void beat() {
        ClientHeartbeat beat = heartbeat(modelId, clientId, numExamples, Instant.now(), clientKey);
        try {
            producer.send(new ProducerRecord<>(topic, modelId.getBytes(StandardCharsets.UTF_8),
                    WireCodec.CLIENT_HEARTBEAT.encode(beat)), (metadata, e) -> {
                        if (e instanceof RetriableException) {
                            outage.failed("sending the next heartbeat on schedule", e);
                        } else if (e != null) {
                            LOG.warn("{}: heartbeat for model {} not sent: {}", clientId, modelId, e.toString());
                        } else {
                            outage.succeeded();
                        }
                    });
        } catch (RetriableException e) {
            // other failures (authorization, say) reach the loop's heartbeat thread, which logs each
            outage.failed("sending the next heartbeat on schedule", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
