package io.floe.trainer.daemon;

import io.floe.core.wire.WireCodec;
import io.floe.schema.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
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
 */
public final class UpdatePublisher implements UpdateSink, AutoCloseable {
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;

    public UpdatePublisher(String bootstrapServers, String updatesTopic, Properties extra) {
        this.topic = updatesTopic;
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(io.floe.core.wire.RecordSize.MAX_BYTES));
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(io.floe.core.wire.RecordSize.PRODUCER_BUFFER_BYTES));
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends and waits for the broker's acknowledgement. */
    public RecordMetadata publish(ModelUpdate update) throws InterruptedException {
        byte[] key = update.getModelId().getBytes(StandardCharsets.UTF_8);
        try {
            return producer.send(new ProducerRecord<>(topic, key, WireCodec.MODEL_UPDATE.encode(update))).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish update " + update.getUpdateId() + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void send(ModelUpdate update) throws InterruptedException {
        publish(update);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
