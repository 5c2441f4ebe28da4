// One round of a chunked model through a running job: registers a chunked FedAvg model (zeros),
// sends CLIENTS synthetic updates as headers plus UpdateChunk records, waits until version 1 is
// complete on floe.models (manifest and every chunk, read_committed, hashes checked) and prints
//   VERSION1_SHA256 <hex>
// the SHA-256 of version 1's weights (little-endian float32, tensor after tensor). Deterministic:
// the same arguments give the same updates, so a job at another parallelism must print the same hash.
// A single-file Java program, run against the deploy module's class path:
//
//   java -cp "deploy/target/classes:$(cat deploy/target/classpath.txt)" deploy/standalone/ChunkedRound.java \
//       BOOTSTRAP MODEL_ID [PARAMETERS=200000] [CHUNK_BYTES=16384] [CLIENTS=4] [TIMEOUT_S=120]

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkedModelAssembly;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class ChunkedRound {
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // printed here: the source launcher hides a short stack trace behind its own exception
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ChunkedRound BOOTSTRAP MODEL_ID [PARAMETERS=200000] [CHUNK_BYTES=16384] [CLIENTS=4] [TIMEOUT_S=120]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String modelId = args[1];
        int parameters = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        int chunkBytes = args.length > 3 ? Integer.parseInt(args[3]) : 16_384;
        int clients = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        int timeoutS = args.length > 5 ? Integer.parseInt(args[5]) : 120;

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            ModelSpec spec = ModelSpec.newBuilder().setModelId(modelId).setArchitecture("synthetic(" + parameters + ")")
                    .setInitialTensors(List.of(Tensor.newBuilder().setName("w").setShape(List.of(parameters))
                            .setData(ByteBuffer.allocate(0)).build()))
                    .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clients).setChunkBytes(chunkBytes)
                            .build())
                    .setTraining(ClientTrainingConfig.newBuilder().build()).setCreatedAt(Instant.EPOCH).build();
            producer.send(new ProducerRecord<>("floe.control", key(modelId), WireCodec.MODEL_SPEC.encode(spec))).get();
            await(bootstrap, modelId, 0, timeoutS);
            for (int k = 0; k < clients; k++) {
                Random rnd = new Random(1000 + k);
                float[] delta = new float[parameters];
                for (int i = 0; i < parameters; i++) {
                    delta[i] = (float) (rnd.nextGaussian() * 0.01);
                }
                ChunkedUpdates.Cut cut = ChunkedUpdates.cut(modelId, "u-" + k, delta, chunkBytes);
                ModelUpdate header = ModelUpdate.newBuilder().setUpdateId("u-" + k).setModelId(modelId).setClientId("site-" + k)
                        .setBaseVersion(0).setNumExamples(10L + 7L * k).setLocalSteps(1).setCreatedAt(Instant.EPOCH)
                        .setTensors(List.of()).setMetrics(Map.of()).setChunks(cut.manifest()).build();
                producer.send(new ProducerRecord<>("floe.updates", key(modelId), WireCodec.MODEL_UPDATE.encode(header)));
                for (UpdateChunk c : cut.chunks()) {
                    producer.send(new ProducerRecord<>("floe.updates", key(ChunkData.key(modelId, c.getIndex())),
                            WireCodec.UPDATE_CHUNK.encode(c)));
                }
            }
            producer.flush();
        }
        GlobalModel v1 = await(bootstrap, modelId, 1, timeoutS);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Tensor t : v1.getTensors()) {
            sha.update(t.getData().duplicate());
        }
        System.out.println("accepted updates " + v1.getProvenance().getUpdateIds());
        System.out.println("VERSION1_SHA256 " + HexFormat.of().formatHex(sha.digest()));
    }

    private static GlobalModel await(String bootstrap, String modelId, long version, int timeoutS) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        ChunkedModelAssembly assembly = new ChunkedModelAssembly(modelId);
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutS).toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("floe.models").stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (WireCodec.MODEL_CHUNK.hasHeaderOf(r.value())) {
                        assembly.offer(WireCodec.MODEL_CHUNK.decode(r.value()));
                    } else if (new String(r.key(), StandardCharsets.UTF_8).equals(modelId)) {
                        GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                        if (m.getVersion() <= version) {
                            assembly.offer(m);
                        }
                    }
                }
                Optional<GlobalModel> done = assembly.complete();
                if (done.isPresent() && done.get().getVersion() == version) {
                    System.out.println("version " + version + " of " + modelId + " complete (" + done.get().getChunks().getSha256().size()
                            + " chunks)");
                    return done.get();
                }
            }
        }
        System.err.println("version " + version + " of " + modelId + " not complete within " + timeoutS + " s");
        System.exit(1);
        return null;
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
