package io.floe.trainer.daemon;

import io.floe.core.wire.RecordSize;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a trainer's updates to the updates topic, keyed by model id, with an idempotent
 * producer (acks=all): a retried send never lands twice, and the updateId lets the job spot a
 * resend after a trainer restart.
 *
 * <p>Rides out broker outages: a send that fails with a retriable error (the producer's delivery,
 * request or metadata timeout while the broker is down) is sent again with backoff until it is
 * acknowledged, {@link #stopRetrying() stopped} or interrupted ({@link PublishRetry}). A trainer on
 * an unattended gateway must not exit because the broker restarted. Resending is safe: the
 * updateId is the idempotency key and the job drops duplicates.
 */
public final class UpdatePublisher implements UpdateSink, AutoCloseable {
    private final String topic;
    private final Properties config;
    private final PublishRetry retry;
    private final Object producerLock = new Object();
    private KafkaProducer<byte[], byte[]> producer;
    private boolean closed;

    /** A publisher with the default backoff (1 s doubling to 30 s), jitter seeded by the producer's client id. */
    public UpdatePublisher(String bootstrapServers, String updatesTopic, Properties extra) {
        this(bootstrapServers, updatesTopic, extra, null);
    }

    /** @param retry the backoff between attempts; null for {@link PublishRetry#forClient} of the producer's client id */
    public UpdatePublisher(String bootstrapServers, String updatesTopic, Properties extra, PublishRetry retry) {
        this.topic = updatesTopic;
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(RecordSize.MAX_BYTES));
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(RecordSize.PRODUCER_BUFFER_BYTES));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "floe-trainer-updates-" + UUID.randomUUID());
        this.config = p;
        this.retry = retry != null ? retry : PublishRetry.forClient(p.getProperty(ProducerConfig.CLIENT_ID_CONFIG));
        this.producer = newProducer();
    }

    /**
     * Sends and waits for the broker's acknowledgement, retrying while the broker is unreachable.
     *
     * @throws InterruptedException when interrupted before the acknowledgement
     * @throws PublishRetry.StoppedException when {@link #stopRetrying()} or {@link #close()} came first
     * @throws IllegalStateException when the broker refused the update for good (too large, not authorised)
     */
    public RecordMetadata publish(ModelUpdate update) throws InterruptedException {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
                update.getModelId().getBytes(StandardCharsets.UTF_8), WireCodec.MODEL_UPDATE.encode(update));
        return retry.call("update " + update.getUpdateId(), () -> sendOnce(record), this::recreateProducer);
    }

    @Override
    public void send(ModelUpdate update) throws InterruptedException {
        publish(update);
    }

    /**
     * Ends a publish that waits for the broker, for good: it and any later publish throw
     * {@link PublishRetry.StoppedException} once an attempt fails.
     */
    @Override
    public void stopRetrying() {
        retry.stop();
    }

    /** Sends retried after a failed attempt, over this publisher's life ({@link PublishRetry#retries()}). */
    public long publishRetries() {
        return retry.retries();
    }

    private RecordMetadata sendOnce(ProducerRecord<byte[], byte[]> record) throws Exception {
        KafkaProducer<byte[], byte[]> current;
        synchronized (producerLock) {
            current = producer;
        }
        try {
            return current.send(record).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Replaces a producer whose idempotence state broke; the new one gets a new producer id. The new
     * one is built first: when that throws, the old one stays in place and the retry tries again.
     */
    private void recreateProducer() {
        synchronized (producerLock) {
            if (closed) {
                return;
            }
            KafkaProducer<byte[], byte[]> replacement = newProducer();
            producer.close(Duration.ZERO);
            producer = replacement;
        }
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void close() {
        retry.stop();
        synchronized (producerLock) {
            closed = true;
            producer.close(Duration.ofSeconds(5));
        }
    }
}
