package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.ModelRegistration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job's metrics as Prometheus scrapes them: floe in one JVM with the Prometheus reporter on,
 * three hospitals training a logistic regression for two sync rounds, and one update from a
 * version that does not exist yet. The counters scraped over HTTP must agree with the reports and
 * dead letters the run committed, and every metric the Grafana dashboard queries must be in the
 * scrape.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrometheusMetricsITCase {
    private static final String MODEL_ID = "metrics-it";
    private static final int TRAINERS = 3;
    private static final int ROUNDS = 2;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Path DASHBOARD = Path.of("grafana/floe-dashboard.json");
    private static final String PREFIX = "flink_taskmanager_job_task_operator_floe_model_";
    /** The model label as the reporter writes it: characters other than [A-Za-z0-9_] become '_'. */
    private static final String MODEL_LABEL = "metrics_it";

    private static EmbeddedFloe floe;
    private static List<AggregationReport> reports;
    private static List<DeadLetter> deadLetters;

    @BeforeAll
    static void runTwoRoundsAndAnUpdateFromTheFuture() throws Exception {
        floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0", null, "0");
        HospitalsScenario scenario = HospitalsScenario.load(Path.of("../data/wdbc/breast_cancer.csv"), TRAINERS, 42, 0.5, 0.6);
        AggregationConfig aggregation = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(TRAINERS).build();
        RunSettings run = new RunSettings(MODEL_ID, "logreg(30)", 42, ROUNDS, aggregation, ModelRegistration.training(0.1f, 2, 16),
                "none", 0);
        List<RoundRecord> history = FederatedRun.run(floe, scenario, run, null);
        assertThat(history).extracting(RoundRecord::version).containsExactly(0L, 1L, 2L);

        sendUpdateFromVersion(99);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        do {
            deadLetters = read(floe.topics().deadLetter()).stream().map(r -> WireCodec.DEAD_LETTER.decode(r.value()))
                    .filter(d -> MODEL_ID.equals(d.getModelId())).toList();
        } while (deadLetters.isEmpty() && System.nanoTime() < deadline);
        reports = read(floe.topics().reports()).stream().map(r -> WireCodec.AGGREGATION_REPORT.decode(r.value()))
                .filter(r -> MODEL_ID.equals(r.getModelId())).toList();
    }

    @AfterAll
    static void stop() throws Exception {
        if (floe != null) {
            floe.close();
        }
    }

    @Test
    void scrapedCountersAgreeWithTheCommittedReportsAndDeadLetters() throws Exception {
        assertThat(deadLetters).extracting(DeadLetter::getReason).containsExactly(RejectionReason.WRONG_BASE_VERSION.name());
        long accepted = reports.stream().mapToLong(r -> r.getAccepted().size()).sum();
        assertThat(accepted).isEqualTo((long) TRAINERS * ROUNDS);

        Scrape scrape = Scrape.of(floe.metricsUrl().orElseThrow());
        // version 0 (its report CREATED) and one version per PUBLISHED report
        assertThat(reports).extracting(AggregationReport::getStatus).containsOnlyOnce("CREATED")
                .containsOnly("CREATED", "PUBLISHED");
        assertThat(scrape.sum("versionsPublished", MODEL_LABEL)).isEqualTo(reports.size()).isEqualTo(ROUNDS + 1);
        assertThat(scrape.sum("updatesAccepted", MODEL_LABEL)).isEqualTo(accepted);
        assertThat(scrape.sum("deadLetters", MODEL_LABEL)).isEqualTo(deadLetters.size());
        assertThat(scrape.sum("reason_updatesRejected", MODEL_LABEL, "reason", "WRONG_BASE_VERSION")).isEqualTo(1);
        assertThat(scrape.sum("reason_updatesRejected", MODEL_LABEL)).isEqualTo(1);
        assertThat(scrape.sum("currentVersion", MODEL_LABEL)).isEqualTo(ROUNDS);
        assertThat(scrape.sum("lastParticipants", MODEL_LABEL)).isEqualTo(TRAINERS);
        assertThat(scrape.sum("roundDurationMs_count", MODEL_LABEL)).isEqualTo(ROUNDS);
        assertThat(scrape.sum("staleness_count", MODEL_LABEL)).isEqualTo(accepted);
        // every update received (the rejected one too) holds at least the 31 floats of logreg(30)
        assertThat(scrape.sum("updateBytesReceived", MODEL_LABEL)).isGreaterThanOrEqualTo(4.0 * 31 * (accepted + 1));
    }

    @Test
    void everyMetricTheDashboardQueriesIsScraped() throws Exception {
        Set<String> queried = new TreeSet<>();
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Pattern metric = Pattern.compile("flink_[A-Za-z0-9_]+");
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> queries.add(e.asText()));
        dashboard.findValues("definition").forEach(e -> queries.add(e.asText()));
        for (String q : queries) {
            Matcher m = metric.matcher(q);
            while (m.find()) {
                queried.add(m.group());
            }
        }
        assertThat(queried).hasSizeGreaterThanOrEqualTo(10);

        Scrape scrape = Scrape.of(floe.metricsUrl().orElseThrow());
        assertThat(scrape.names()).containsAll(queried);
    }

    private static void sendUpdateFromVersion(long base) throws Exception {
        GlobalModel v0 = WireCodec.GLOBAL_MODEL.decode(read(floe.topics().models()).get(0).value());
        ModelUpdate update = ModelUpdate.newBuilder()
                .setUpdateId("from-the-future").setModelId(MODEL_ID).setClientId("hospital-99").setBaseVersion(base)
                .setNumExamples(10).setCreatedAt(Instant.now())
                .setTensors(TensorRecords.toRecords(TensorRecords.fromRecords(v0.getTensors())))
                .build();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, floe.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(floe.topics().updates(), MODEL_ID.getBytes(StandardCharsets.UTF_8),
                    WireCodec.MODEL_UPDATE.encode(update))).get(10, TimeUnit.SECONDS);
        }
    }

    private static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> read(String topic) {
        return CommittedRecords.read(floe.bootstrapServers(), topic, READ_TIMEOUT);
    }

    /** One scrape of the Prometheus text format: samples by name, with their labels. */
    private record Scrape(List<Sample> samples) {
        private static final Pattern LINE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+).*$");
        private static final Pattern LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        record Sample(String name, Map<String, String> labels, double value) {
        }

        static Scrape of(URI url) throws Exception {
            assertThat(url.getHost()).isEqualTo("127.0.0.1");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            List<Sample> samples = new ArrayList<>();
            for (String line : response.body().split("\n")) {
                Matcher m = LINE.matcher(line);
                if (line.startsWith("#") || !m.matches()) {
                    continue;
                }
                Map<String, String> labels = new java.util.HashMap<>();
                if (m.group(3) != null) {
                    Matcher l = LABEL.matcher(m.group(3));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
            }
            return new Scrape(samples);
        }

        Set<String> names() {
            Set<String> names = new TreeSet<>();
            samples.forEach(s -> names.add(s.name()));
            return names;
        }

        /** The sum over subtasks of floe metric {@code name} with label {@code model}, optionally with one more label. */
        double sum(String name, String model, String... label) {
            List<Sample> found = samples.stream()
                    .filter(s -> s.name().equals(PREFIX + name) && model.equals(s.labels().get("model")))
                    .filter(s -> label.length == 0 || label[1].equals(s.labels().get(label[0])))
                    .toList();
            assertThat(found).as("samples of %s for model %s", PREFIX + name, model).isNotEmpty();
            return found.stream().mapToDouble(Sample::value).sum();
        }
    }
}
