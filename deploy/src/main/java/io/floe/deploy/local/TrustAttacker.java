package io.floe.deploy.local;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The compromised sites' extra records for a {@link TrustAttack}, sent from a thread of their own
 * as the run goes: it watches the models topic (and, for {@code replay}, the updates topic) and
 * answers every new version. Each record is signed with a compromised site's own key (enrolled,
 * when the run authenticates), as a real insider would. Counts what it sent.
 */
final class TrustAttacker implements Runnable, AutoCloseable {
    private final TrustAttack attack;
    private final String bootstrap;
    private final io.floe.core.wire.TopicNames topics;
    private final ModelSpec spec;
    private final List<String> victims;
    private final List<KeyPair> attackerKeys;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running = true;

    /**
     * @param victims honest sites' ids (impersonated in turn)
     * @param attackerKeys the compromised sites' own key pairs (at least one)
     */
    TrustAttacker(TrustAttack attack, String bootstrap, io.floe.core.wire.TopicNames topics, ModelSpec spec, List<String> victims,
            List<KeyPair> attackerKeys) {
        this.attack = attack;
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.spec = spec;
        this.victims = victims;
        this.attackerKeys = attackerKeys;
    }

    /** Records sent so far. */
    long sent() {
        return sent.get();
    }

    @Override
    public void run() {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "floe-demo-attacker-" + System.nanoTime());
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(attack == TrustAttack.REPLAY ? List.of(topics.models(), topics.updates()) : List.of(topics.models()));
            long answered = -1;
            boolean onceDone = false;
            Set<String> replayed = new HashSet<>();
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.key() == null || !spec.getModelId().equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    if (r.topic().equals(topics.updates())) {
                        replay(r.value(), replayed, producer);
                        continue;
                    }
                    GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value());
                    if (m.getVersion() <= answered || m.getVersion() >= 1000 || m.getChunks() != null) {
                        continue;
                    }
                    answered = m.getVersion();
                    List<ModelUpdate> updates = switch (attack) {
                        case IMPERSONATE -> impersonations(m);
                        case SYBIL -> sybils(m);
                        default -> List.of();
                    };
                    for (ModelUpdate u : updates) {
                        send(producer, topics.updates(), WireCodec.MODEL_UPDATE.encode(u));
                    }
                    if (!onceDone && m.getVersion() >= 1) {
                        onceDone = true;
                        if (attack == TrustAttack.FORGED_MODEL) {
                            send(producer, topics.models(), WireCodec.GLOBAL_MODEL.encode(forged(m)));
                        } else if (attack == TrustAttack.ROGUE_OPERATOR) {
                            send(producer, topics.control(), WireCodec.MODEL_SPEC.encode(rogueSpec()));
                        }
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value) {
        producer.send(new ProducerRecord<>(topic, spec.getModelId().getBytes(StandardCharsets.UTF_8), value));
        sent.incrementAndGet();
    }

    /** One boosted sign-flip per compromised site, each claiming an honest site's id. */
    private List<ModelUpdate> impersonations(GlobalModel m) {
        List<ModelUpdate> out = new ArrayList<>();
        ModelWeights poison = TensorRecords.fromRecords(m.getTensors()).scaled(-10f);
        for (int a = 0; a < attackerKeys.size(); a++) {
            String victim = victims.get((int) ((m.getVersion() * attackerKeys.size() + a) % victims.size()));
            out.add(RecordSignatures.sign(update(TrustAttack.UPDATE_ID_PREFIX + "imp-v" + m.getVersion() + "-" + a, victim, m, poison),
                    attackerKeys.get(a).getPrivate()));
        }
        return out;
    }

    private List<ModelUpdate> sybils(GlobalModel m) {
        List<ModelUpdate> out = new ArrayList<>();
        ModelWeights poison = TensorRecords.fromRecords(m.getTensors()).scaled(-10f);
        for (int n = 0; n < TrustAttack.SYBILS_PER_ROUND; n++) {
            KeyPair key = attackerKeys.get(n % attackerKeys.size());
            out.add(RecordSignatures.sign(update(TrustAttack.UPDATE_ID_PREFIX + "sybil-v" + m.getVersion() + "-" + n, "sybil-" + n, m, poison),
                    key.getPrivate()));
        }
        return out;
    }

    /** Each honest update seen, sent again once as it was. */
    private void replay(byte[] value, Set<String> replayed, KafkaProducer<byte[], byte[]> producer) {
        if (!WireCodec.MODEL_UPDATE.hasHeaderOf(value)) {
            return;
        }
        ModelUpdate u = WireCodec.MODEL_UPDATE.decode(value);
        if (!u.getUpdateId().startsWith(TrustAttack.UPDATE_ID_PREFIX) && replayed.add(u.getUpdateId())) {
            send(producer, topics.updates(), value);
        }
    }

    /** Version + 1000 with sign-flipped weights, signed with a compromised site's key. */
    private GlobalModel forged(GlobalModel m) {
        GlobalModel f = GlobalModel.newBuilder(m).setVersion(m.getVersion() + 1000)
                .setTensors(TensorRecords.toRecords(TensorRecords.fromRecords(m.getTensors()).scaled(-1f))).setSignature(null).build();
        return RecordSignatures.sign(f, attackerKeys.get(0).getPrivate());
    }

    /** The model reconfigured: rule median, 2 clients per round, learning rate 0.5. */
    private ModelSpec rogueSpec() {
        ModelSpec s = ModelSpec.newBuilder(spec).setSignature(null).setCreatedAt(Instant.now()).build();
        s.getAggregation().setRule("median");
        s.getAggregation().setClientsPerRound(2);
        s.getTraining().setLearningRate(0.5f);
        return RecordSignatures.sign(s, attackerKeys.get(0).getPrivate());
    }

    private static ModelUpdate update(String updateId, String clientId, GlobalModel base, ModelWeights delta) {
        return ModelUpdate.newBuilder().setUpdateId(updateId).setModelId(base.getModelId()).setClientId(clientId)
                .setBaseVersion(base.getVersion()).setNumExamples(1_000).setLocalSteps(1).setCreatedAt(Instant.now())
                .setTensors(TensorRecords.toRecords(delta)).setMetrics(Map.of()).build();
    }

    @Override
    public void close() {
        running = false;
    }
}
