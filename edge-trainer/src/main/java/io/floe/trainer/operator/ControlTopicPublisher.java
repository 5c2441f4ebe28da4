package io.floe.trainer.operator;

import io.floe.core.wire.RecordSize;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientRelease;
import io.floe.schema.ClientRevocation;
import io.floe.schema.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes operator commands to the control topic, each keyed by its model id (so it reaches the
 * job's keyed state for that model), with an idempotent producer (acks=all), and returns once every
 * one is acknowledged. Commands of one call go out in order on one producer.
 */
public final class ControlTopicPublisher {
    private ControlTopicPublisher() {
    }

    /**
     * One encoded command for one model.
     *
     * @param what names the command in messages, e.g. {@code "ClientEnrolment of site-1"}
     */
    public record Command(String modelId, String what, byte[] value) {
        public static Command of(ModelSpec spec) {
            return new Command(spec.getModelId(), "ModelSpec", WireCodec.MODEL_SPEC.encode(spec));
        }

        public static Command of(ClientEnrolment e) {
            return new Command(e.getModelId(), "ClientEnrolment of " + e.getClientId(), WireCodec.CLIENT_ENROLMENT.encode(e));
        }

        public static Command of(ClientRevocation r) {
            return new Command(r.getModelId(), "ClientRevocation of " + r.getClientId(), WireCodec.CLIENT_REVOCATION.encode(r));
        }

        public static Command of(ClientRelease r) {
            return new Command(r.getModelId(), "ClientRelease of " + r.getClientId(), WireCodec.CLIENT_RELEASE.encode(r));
        }
    }

    /**
     * Sends every command and waits for the acknowledgements.
     *
     * @param extra Kafka client settings (security.protocol, sasl.*, ssl.*)
     * @throws IllegalStateException naming the first command the broker did not take
     */
    public static void publish(String bootstrapServers, String controlTopic, Properties extra, List<Command> commands)
            throws InterruptedException {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(RecordSize.MAX_BYTES));
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(RecordSize.PRODUCER_BUFFER_BYTES));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Command c : commands) {
                sent.add(producer.send(new ProducerRecord<>(controlTopic, c.modelId().getBytes(StandardCharsets.UTF_8), c.value())));
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                } catch (ExecutionException e) {
                    Command c = commands.get(i);
                    throw new IllegalStateException("could not publish " + c.what() + " for model " + c.modelId() + " to "
                            + controlTopic + ": " + e.getCause(), e.getCause());
                }
            }
        }
    }
}
