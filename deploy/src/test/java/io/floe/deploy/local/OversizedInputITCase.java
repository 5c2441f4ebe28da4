package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.RecordSize;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.core.spec.Architecture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Input of any size cannot take the real job down: a 60 MiB update for a model of 31 parameters
 * and an update whose first length claims 2 GiB go through a real broker to the running job,
 * which dead-letters both (the large one by reference: size, SHA-256, first bytes), does not
 * restart, and aggregates the honest update sent after them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OversizedInputITCase {
    private static final String MODEL_ID = "oversized";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aHugeUpdateAndALyingLengthAreDeadLetteredWithoutARestartAndTheRoundGoesOn() throws Exception {
        try (EmbeddedFloe floe = EmbeddedFloe.start(1, 1, Duration.ofMillis(300), "0")) {
            Architecture arch = Architecture.parse("logreg(30)");
            ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(), ModelRegistration.spec(MODEL_ID, arch, 42,
                    AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(1).build(),
                    ModelRegistration.training(0.1f, 1, 16)), new Properties());
            CommittedWait.version(floe, MODEL_ID, 0, WAIT);
            long runningSince = floe.allTasksRunningSince();

            // 15.7M float32 zeros: 60 MiB, under the topics' 64 MiB, for a model of 31 parameters
            byte[] huge = update("mallory", new ModelWeights(List.of(new Tensor("dense0.W", new int[] {15_728_640},
                    new float[15_728_640]))));
            byte[] lying = update("liar", arch.initialWeights(42));
            lying = Arrays.copyOf(lying, 40);
            byte[] claims2GiB = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x0F}; // zigzag varint 2^31 - 1
            System.arraycopy(claims2GiB, 0, lying, 10, claims2GiB.length);
            ModelWeights zero = TensorRecords.fromRecords(CommittedWait.models(floe, MODEL_ID).get(0).getTensors()).scaled(0f);
            send(floe, huge, lying, update("alice", zero));

            GlobalModel v1 = CommittedWait.version(floe, MODEL_ID, 1, WAIT);
            List<DeadLetter> letters = CommittedWait.deadLetters(floe, 2, WAIT);

            assertThat(v1.getProvenance().getUpdateIds()).as("alice's update, sent after the two").hasSize(1);
            assertThat(letters).extracting(DeadLetter::getReason).containsExactlyInAnyOrder("RECORD_TOO_LARGE", "UNDECODABLE");
            DeadLetter large = letters.stream().filter(d -> d.getReason().equals("RECORD_TOO_LARGE")).findFirst().orElseThrow();
            assertThat(large.getPayloadBytes()).isEqualTo(huge.length);
            assertThat(large.getPayload().remaining()).isEqualTo(1024);
            assertThat(bytes(large.getPayloadSha256())).isEqualTo(MessageDigest.getInstance("SHA-256").digest(huge));
            assertThat(large.getOffset()).isZero();
            assertThat(floe.allTasksRunningSince()).as("tasks running since (no restart)").isEqualTo(runningSince);
            assertThat(floe.jobStatus()).isEqualTo("RUNNING");
        }
    }

    private static byte[] update(String client, ModelWeights delta) {
        return WireCodec.MODEL_UPDATE.encode(ModelUpdate.newBuilder().setUpdateId("u-" + client).setModelId(MODEL_ID)
                .setClientId(client).setBaseVersion(0).setNumExamples(10).setLocalSteps(1).setCreatedAt(Instant.now())
                .setTensors(TensorRecords.toRecords(delta)).setMetrics(Map.of()).build());
    }

    private static void send(EmbeddedFloe floe, byte[]... values) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, floe.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(RecordSize.MAX_BYTES));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(RecordSize.PRODUCER_BUFFER_BYTES));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(floe.topics().updates(), MODEL_ID.getBytes(StandardCharsets.UTF_8), value)).get();
            }
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
