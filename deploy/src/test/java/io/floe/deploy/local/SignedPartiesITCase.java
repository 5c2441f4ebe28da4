package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.JobTrust;
import io.floe.core.trust.OperatorKeys;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientRelease;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.core.spec.Architecture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
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
 * Issue 14's attacks against the real broker and job, with client authentication required: a
 * client impersonating another, made-up client ids, unsigned and wrongly-signed operator commands
 * (spec, release, enrolment), a replayed update and a second client reusing an update id are all
 * dead-lettered with their reason codes, while the honest, enrolled clients' rounds keep closing,
 * every version is signed by the job, and the job never restarts; a version forged onto
 * floe.models is ignored by a trainer that has the job's public key.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SignedPartiesITCase {
    private static final String MODEL_ID = "signed";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final KeyPair OPERATOR = Ed25519Keys.generate();
    private static final KeyPair JOB = Ed25519Keys.generate();
    private static final KeyPair ROGUE = Ed25519Keys.generate();
    private static final KeyPair ALICE = Ed25519Keys.generate();
    private static final KeyPair BOB = Ed25519Keys.generate();

    @Test
    void everyAttackIsDeadLetteredWithItsReasonWhileHonestRoundsClose() throws Exception {
        JobTrust trust = JobTrust.of(OperatorKeys.of(List.of(OPERATOR.getPublic())), JOB.getPrivate());
        try (EmbeddedFloe floe = EmbeddedFloe.start(1, 2, Duration.ofMillis(300), "0", null, null, trust);
                KafkaProducer<byte[], byte[]> producer = producer(floe)) {
            Architecture arch = Architecture.parse("logreg(30)");
            ModelSpec spec = ModelRegistration.spec(MODEL_ID, arch, 42, AggregationConfig.newBuilder().setRule("fedavg")
                    .setClientsPerRound(2).build(), ModelRegistration.training(0.1f, 1, 16));
            spec.setClientAuthentication("required");
            control(producer, floe, WireCodec.MODEL_SPEC.encode(ModelSpec.newBuilder(spec).build())); // unsigned
            control(producer, floe, WireCodec.MODEL_SPEC.encode(RecordSignatures.sign(ModelSpec.newBuilder(spec).build(),
                    ROGUE.getPrivate())));
            control(producer, floe, WireCodec.MODEL_SPEC.encode(RecordSignatures.sign(ModelSpec.newBuilder(spec).build(),
                    OPERATOR.getPrivate())));
            GlobalModel v0 = CommittedWait.version(floe, MODEL_ID, 0, WAIT);
            long runningSince = floe.allTasksRunningSince();
            assertThat(RecordSignatures.verify(v0, JOB.getPublic())).isEqualTo(RecordSignatures.Verdict.VALID);

            ModelSpec rogueReconfiguration = ModelSpec.newBuilder(spec).build();
            rogueReconfiguration.getAggregation().setRule("median");
            rogueReconfiguration.getAggregation().setClientsPerRound(1);
            control(producer, floe, WireCodec.MODEL_SPEC.encode(RecordSignatures.sign(rogueReconfiguration, ROGUE.getPrivate())));
            control(producer, floe, WireCodec.CLIENT_RELEASE.encode(RecordSignatures.sign(ClientRelease.newBuilder()
                    .setModelId(MODEL_ID).setClientId("alice").setOperator("rogue").setCreatedAt(Instant.now()).build(),
                    ROGUE.getPrivate())));
            control(producer, floe, WireCodec.CLIENT_ENROLMENT.encode(RecordSignatures.sign(enrolment("mallory", ROGUE),
                    ROGUE.getPrivate())));
            control(producer, floe, WireCodec.CLIENT_ENROLMENT.encode(RecordSignatures.sign(enrolment("alice", ALICE),
                    OPERATOR.getPrivate())));
            control(producer, floe, WireCodec.CLIENT_ENROLMENT.encode(RecordSignatures.sign(enrolment("bob", BOB),
                    OPERATOR.getPrivate())));

            ModelWeights zero = TensorRecords.fromRecords(v0.getTensors()).scaled(0f);
            updates(producer, floe,
                    RecordSignatures.sign(update("bob", "u-bob-1", 0, zero), ROGUE.getPrivate()), // impersonation
                    RecordSignatures.sign(update("sybil-1", "u-s1", 0, zero), ROGUE.getPrivate()), // made-up ids
                    RecordSignatures.sign(update("sybil-2", "u-s2", 0, zero), ROGUE.getPrivate()),
                    update("alice", "u-alice-0", 0, zero), // unsigned
                    RecordSignatures.sign(update("alice", "u-alice-1", 0, zero), ALICE.getPrivate()),
                    RecordSignatures.sign(update("bob", "u-bob-1", 0, zero), BOB.getPrivate()));
            GlobalModel v1 = CommittedWait.version(floe, MODEL_ID, 1, WAIT);
            assertThat(v1.getProvenance().getUpdateIds()).containsExactly("u-alice-1", "u-bob-1");
            assertThat(v1.getProvenance().getRule()).as("the rogue reconfiguration did not apply").isEqualTo("fedavg");

            updates(producer, floe,
                    RecordSignatures.sign(update("alice", "u-alice-1", 0, zero), ALICE.getPrivate()), // replay
                    RecordSignatures.sign(update("alice", "u-alice-2", 1, zero), ALICE.getPrivate()),
                    RecordSignatures.sign(update("bob", "u-alice-2", 1, zero), BOB.getPrivate()), // id reuse
                    RecordSignatures.sign(update("bob", "u-bob-2", 1, zero), BOB.getPrivate()));
            GlobalModel v2 = CommittedWait.version(floe, MODEL_ID, 2, WAIT);
            assertThat(v2.getProvenance().getUpdateIds()).containsExactly("u-alice-2", "u-bob-2");
            assertThat(RecordSignatures.verify(v2, JOB.getPublic())).isEqualTo(RecordSignatures.Verdict.VALID);

            // a forged version 1000 ahead, signed with the attacker's key, written straight to floe.models
            GlobalModel forged = GlobalModel.newBuilder(v2).setVersion(1002).setSignature(null).build();
            producer.send(new ProducerRecord<>(floe.topics().models(), MODEL_ID.getBytes(StandardCharsets.UTF_8),
                    WireCodec.GLOBAL_MODEL.encode(RecordSignatures.sign(forged, ROGUE.getPrivate())))).get();
            try (GlobalModelFollower verifying = new GlobalModelFollower(floe.bootstrapServers(), floe.topics().models(), MODEL_ID,
                    new Properties(), JOB.getPublic());
                    GlobalModelFollower trusting = new GlobalModelFollower(floe.bootstrapServers(), floe.topics().models(), MODEL_ID,
                            new Properties())) {
                assertThat(trusting.awaitNewerThan(2, WAIT)).as("a trainer without the job's key follows the forgery")
                        .hasValueSatisfying(m -> assertThat(m.getVersion()).isEqualTo(1002));
                assertThat(verifying.awaitNewerThan(1, WAIT)).hasValueSatisfying(m -> assertThat(m.getVersion()).isEqualTo(2));
                assertThat(verifying.awaitNewerThan(2, Duration.ofSeconds(3))).as("the forged version is ignored").isEmpty();
                assertThat(verifying.verifier().ignored(RecordSignatures.Verdict.BAD_SIGNATURE)).isEqualTo(1);
            }

            List<DeadLetter> letters = CommittedWait.deadLetters(floe, 11, WAIT);
            assertThat(letters).extracting(DeadLetter::getReason).containsExactlyInAnyOrder(
                    "UNSIGNED", "BAD_SIGNATURE", // the first two specs
                    "BAD_SIGNATURE", "BAD_SIGNATURE", "BAD_SIGNATURE", // rogue spec, release, enrolment
                    "BAD_SIGNATURE", "NOT_ENROLLED", "NOT_ENROLLED", "UNSIGNED", // impersonation, sybils, unsigned
                    "REPLAYED_UPDATE", "DUPLICATE_UPDATE_ID");
            assertThat(letters).filteredOn(d -> d.getReason().equals("NOT_ENROLLED")).extracting(DeadLetter::getClientId)
                    .containsExactlyInAnyOrder("sybil-1", "sybil-2");
            assertThat(floe.allTasksRunningSince()).as("tasks running since (no restart)").isEqualTo(runningSince);
            assertThat(floe.jobStatus()).isEqualTo("RUNNING");
        }
    }

    private static ClientEnrolment enrolment(String client, KeyPair key) {
        return ClientEnrolment.newBuilder().setModelId(MODEL_ID).setClientId(client)
                .setPublicKey(ByteBuffer.wrap(key.getPublic().getEncoded())).setExpiresAt(Instant.now().plus(Duration.ofDays(1)))
                .setOperator("ops").setCreatedAt(Instant.now()).build();
    }

    private static ModelUpdate update(String client, String updateId, long baseVersion, ModelWeights delta) {
        return ModelUpdate.newBuilder().setUpdateId(updateId).setModelId(MODEL_ID).setClientId(client).setBaseVersion(baseVersion)
                .setNumExamples(10).setLocalSteps(1).setCreatedAt(Instant.now()).setTensors(TensorRecords.toRecords(delta))
                .setMetrics(Map.of()).build();
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedFloe floe) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, floe.bootstrapServers());
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void control(KafkaProducer<byte[], byte[]> producer, EmbeddedFloe floe, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(floe.topics().control(), MODEL_ID.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static void updates(KafkaProducer<byte[], byte[]> producer, EmbeddedFloe floe, ModelUpdate... updates) throws Exception {
        for (ModelUpdate u : updates) {
            producer.send(new ProducerRecord<>(floe.topics().updates(), MODEL_ID.getBytes(StandardCharsets.UTF_8),
                    WireCodec.MODEL_UPDATE.encode(u))).get();
        }
    }

}
