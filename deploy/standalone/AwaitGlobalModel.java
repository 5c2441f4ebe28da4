// Waits until a GlobalModel of a model id is visible on floe.models to a read_committed reader.
// A single-file Java program (java 11+ source launcher), run against the deploy module's class path:
//
//   java -cp "deploy/target/classes:$(cat deploy/target/classpath.txt)" deploy/standalone/AwaitGlobalModel.java \
//       BOOTSTRAP MODEL_ID [MIN_VERSION=0] [TIMEOUT_S=60] [MODELS_TOPIC=floe.models]
//
// Prints the model's version, tensors and provenance and exits 0, or exits 1 on timeout (then it also
// prints what the job dead-lettered for that model id, read_committed, from <prefix>deadletter).
// It uses the trainers' own reader (GlobalModelFollower: read_committed, all partitions from the
// start), so a model it sees is one the job published in a committed Kafka transaction, i.e. after
// a completed Flink checkpoint.

import io.floe.core.wire.WireCodec;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.trainer.daemon.GlobalModelFollower;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class AwaitGlobalModel {
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: AwaitGlobalModel BOOTSTRAP MODEL_ID [MIN_VERSION=0] [TIMEOUT_S=60] [MODELS_TOPIC=floe.models]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String modelId = args[1];
        long minVersion = args.length > 2 ? Long.parseLong(args[2]) : 0;
        int timeoutS = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        String topic = args.length > 4 ? args[4] : "floe.models";
        long t0 = System.nanoTime();
        Optional<GlobalModel> model;
        try (GlobalModelFollower follower = new GlobalModelFollower(bootstrap, topic, modelId, new Properties())) {
            model = follower.awaitNewerThan(minVersion - 1, Duration.ofSeconds(timeoutS));
        }
        if (model.isEmpty()) {
            System.err.printf("no GlobalModel %s with version >= %d on %s within %d s%n", modelId, minVersion, topic, timeoutS);
            printDeadLetters(bootstrap, topic.substring(0, topic.length() - "models".length()) + "deadletter", modelId);
            System.exit(1);
        }
        GlobalModel m = model.get();
        String tensors = m.getTensors().stream()
                .map(t -> t.getName() + t.getShape())
                .collect(Collectors.joining(", "));
        System.out.printf("GlobalModel %s version %d on %s (read_committed, after %.1f s): architecture %s, tensors [%s], "
                        + "rule %s, parent version %d%n",
                m.getModelId(), m.getVersion(), topic, (System.nanoTime() - t0) / 1e9, m.getArchitecture(), tensors,
                m.getProvenance().getRule(), m.getProvenance().getParentVersion());
        System.exit(0);
    }

    /** Prints the dead letters whose key is the model id (e.g. an UNDECODABLE ModelSpec from a mismatched build). */
    private static void printDeadLetters(String bootstrap, String topic, String modelId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            int found = 0;
            for (int i = 0; i < 10; i++) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    DeadLetter d = WireCodec.DEAD_LETTER.decode(r.value());
                    ByteBuffer key = d.getKey();
                    String k = key == null ? null : StandardCharsets.UTF_8.decode(key.duplicate()).toString();
                    if (modelId.equals(k) || modelId.equals(String.valueOf(d.getModelId()))) {
                        System.err.printf("dead letter on %s: %s from %s-%d@%d: %s%n", topic, d.getReason(), d.getSourceTopic(),
                                d.getPartition(), d.getOffset(), d.getDetail());
                        found++;
                    }
                }
            }
            if (found == 0) {
                System.err.println("no dead letters for " + modelId + " on " + topic);
            }
        } catch (RuntimeException e) {
            System.err.println("could not read " + topic + ": " + e);
        }
    }
}
