package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientRelease;
import io.floe.schema.DeadLetter;
import io.floe.trainer.daemon.ModelRegistration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The running Flink job rejects attackers: 6 hospitals, the first 2 send boosted updates (scale
 * x10); the anomaly policy rejects them, the quarantine rule (2 rejections in 3 rounds) then
 * quarantines them, their later updates are dead-lettered while the rounds go on, and an
 * operator release through the control topic lifts the quarantine.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AttackersRejectedITCase {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final String MODEL_ID = "attacked";
    private static EmbeddedFloe floe;
    private static List<RoundRecord> history;

    @BeforeAll
    static void runAttackedFederation() throws Exception {
        floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0");
        HospitalsScenario scenario = HospitalsScenario.load(Path.of("../data/wdbc/breast_cancer.csv"), 6, 42, 0.5, 0.6);
        AggregationConfig aggregation = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(6)
                .setAnomalyPolicy("reject").setByzantineClients(2).setQuarantineWindow(3).setQuarantineRejections(2).build();
        RunSettings run = new RunSettings(MODEL_ID, "logreg(30)", 42, 4, aggregation, ModelRegistration.training(0.1f, 2, 16),
                "scale", 2);
        history = FederatedRun.run(floe, scenario, run, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (floe != null) {
            floe.close();
        }
    }

    @Test
    void attackersAreRejectedThenQuarantinedWhileTheRoundsGoOn() {
        assertThat(history).extracting(RoundRecord::version).containsExactly(0L, 1L, 2L, 3L, 4L);
        // every round: both attackers' updates rejected (anomalous in rounds 1-2, quarantined afterwards)
        assertThat(history.subList(1, 5)).allSatisfy(r -> {
            assertThat(r.attackersRejected()).isEqualTo(2);
            assertThat(r.participants()).isEqualTo(4);
        });
        assertThat(history.get(1).rejections()).allSatisfy(line -> assertThat(line).contains("ANOMALOUS_UPDATE"));
        assertThat(history.get(4).rejections()).allSatisfy(line -> assertThat(line).contains("QUARANTINED"));
        assertThat(history.get(4).testAuc()).isGreaterThan(history.get(0).testAuc()).isGreaterThan(0.95);

        List<DeadLetter> letters = deadLetters();
        assertThat(letters).filteredOn(d -> d.getReason().equals("ANOMALOUS_UPDATE")).extracting(DeadLetter::getClientId)
                .containsOnly("hospital-00", "hospital-01").hasSize(4);
        assertThat(letters).filteredOn(d -> d.getReason().equals("QUARANTINED")).extracting(DeadLetter::getClientId)
                .containsOnly("hospital-00", "hospital-01");
        assertThat(letters).filteredOn(d -> d.getReason().equals("ANOMALOUS_UPDATE"))
                .allSatisfy(d -> assertThat(d.getPayload()).isNotNull());
    }

    @Test
    void anOperatorReleaseLiftsTheQuarantineAndAReleaseOfAnUnquarantinedClientIsDeadLettered() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, floe.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String client : List.of("hospital-00", "hospital-05")) {
                ClientRelease release = ClientRelease.newBuilder().setModelId(MODEL_ID).setClientId(client).setOperator("ops")
                        .setReason("reviewed").setCreatedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(floe.topics().control(), MODEL_ID.getBytes(StandardCharsets.UTF_8),
                        WireCodec.CLIENT_RELEASE.encode(release))).get();
            }
        }
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        List<DeadLetter> invalid;
        do {
            Thread.sleep(500);
            invalid = deadLetters().stream().filter(d -> d.getReason().equals("INVALID_COMMAND")).toList();
        } while (invalid.isEmpty() && System.nanoTime() < deadline);
        // hospital-05 was never quarantined: its release is refused; hospital-00's is accepted silently
        assertThat(invalid).extracting(DeadLetter::getClientId).containsExactly("hospital-05");
        assertThat(floe.jobStatus()).isEqualTo("RUNNING");
    }

    private static List<DeadLetter> deadLetters() {
        return CommittedRecords.read(floe.bootstrapServers(), floe.topics().deadLetter(), READ_TIMEOUT).stream()
                .map(r -> WireCodec.DEAD_LETTER.decode(r.value())).toList();
    }
}
