package io.floe.flink;

import io.floe.core.trust.JobTrust;
import io.floe.core.wire.TopicNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command-line options of the aggregation job ({@code flink run floe-flink-jobs-*-job.jar --help}). */
@Command(name = "floe-aggregation-job", mixinStandardHelpOptions = true,
        description = "Federated aggregation over Kafka: reads ModelSpec/ModelUpdate records, "
                + "publishes GlobalModel versions, AggregationReports and dead letters.")
public class AggregationJobOptions implements Serializable {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers, e.g. broker1:9092,broker2:9092.")
    public String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "floe.",
            description = "Prefix of the seven topics <prefix>control|updates|models|reports|deadletter|clients|chunk-scores (default: ${DEFAULT-VALUE}).")
    public String topicPrefix = "floe.";

    @Option(names = "--group-id", defaultValue = "floe-aggregator", description = "Kafka consumer group id (default: ${DEFAULT-VALUE}).")
    public String groupId = "floe-aggregator";

    @Option(names = "--transactional-id-prefix", defaultValue = "floe-aggregator",
            description = "Prefix of the exactly-once sink's Kafka transactional ids; unique per job (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix = "floe-aggregator";

    @Option(names = "--checkpoint-interval-ms", defaultValue = "5000",
            description = "Checkpoint interval; published models become visible to read_committed trainers at each checkpoint (default: ${DEFAULT-VALUE}).")
    public long checkpointIntervalMs = 5000;

    @Option(names = "--buffer-timeout-ms", defaultValue = "5",
            description = "Longest a partly filled network buffer waits before it is sent between operators (Flink's "
                    + "execution.buffer-timeout.interval, whose default of 100 ms a round close pays at each of its four hops: "
                    + "receipt, CLOSE, digest, manifest); 0 flushes after every record (default: ${DEFAULT-VALUE}).")
    public long bufferTimeoutMs = 5;

    @Option(names = "--restart-strategy", defaultValue = "exponential-delay",
            description = "exponential-delay (floe's bounds below, x2 per failed attempt, reset after 10 min of stable running) or "
                    + "cluster (the cluster's restart-strategy.* settings) (default: ${DEFAULT-VALUE}).")
    public String restartStrategy = "exponential-delay";

    @Option(names = "--restart-initial-backoff-ms", defaultValue = "1000",
            description = "Wait before the first restart after a failure (default: ${DEFAULT-VALUE}).")
    public long restartInitialBackoffMs = 1000;

    @Option(names = "--restart-max-backoff-ms", defaultValue = "10000",
            description = "Longest wait between restarts; Flink's own default is 60000, which dominated measured recovery "
                    + "(default: ${DEFAULT-VALUE}).")
    public long restartMaxBackoffMs = 10000;

    @Option(names = "--parallelism", description = "Job parallelism (default: the cluster's).")
    public Integer parallelism;

    @Option(names = "--kafka-properties",
            description = "Java properties file with extra Kafka client settings for source and sink, e.g. security.protocol=SASL_SSL, sasl.mechanism, sasl.jaas.config, ssl.truststore.location.")
    public Path kafkaPropertiesFile;

    @Option(names = "--dp-noise-secret-file",
            description = "File whose bytes key the HMAC that seeds central-DP noise per (model, version); an auditor with it can replay the noise. Without it a random secret is drawn at submission (noise not replayable).")
    public Path dpNoiseSecretFile;

    @Option(names = "--resume-from-topics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "When a model has no state (the job started without a checkpoint or savepoint), continue from its newest "
                    + "version on the models topic and the privacy ledger of its newest report instead of publishing version 0 "
                    + "again; --no-resume-from-topics starts every such model at version 0 (default: ${DEFAULT-VALUE}).")
    public boolean resumeFromTopics = true;

    @Option(names = "--max-record-bytes", defaultValue = "" + io.floe.core.wire.RecordSize.MAX_BYTES,
            description = "The largest record value the job reads; a larger one is dead-lettered RECORD_TOO_LARGE by "
                    + "reference (size, SHA-256, first bytes) without being copied or decoded (default: ${DEFAULT-VALUE}, 64 MiB). "
                    + "An update is also refused so when it is larger than twice its model's published size.")
    public long maxRecordBytes = io.floe.core.wire.RecordSize.MAX_BYTES;

    @Option(names = "--resume-timeout-ms", defaultValue = "120000",
            description = "How long submission may take to read the models and reports topics to their end for "
                    + "--resume-from-topics; past it the submission fails rather than continue from part of them "
                    + "(default: ${DEFAULT-VALUE}).")
    public long resumeTimeoutMs = 120000;

    @Option(names = "--operator-keys",
            description = "PEM file with the public keys of the operators whose commands the job obeys (./floe keys generate); "
                    + "with it every ModelSpec, ClientRelease, ClientEnrolment and ClientRevocation must carry one of their "
                    + "signatures. Without it control commands are not checked, and no model can require client authentication.")
    public Path operatorKeysFile;

    @Option(names = "--job-key",
            description = "PEM file with the job's Ed25519 private key: every published model version is signed with it, and "
                    + "trainers given its public key (--job-public-key) use only versions it signed.")
    public Path jobKeyFile;

    /** What the job trusts and signs with, read from the key files now (at submission). */
    public JobTrust trust() {
        return JobTrust.read(operatorKeysFile, jobKeyFile);
    }

    /** The DP noise secret: the file's bytes, or 32 random bytes. */
    public byte[] dpNoiseSecret() {
        if (dpNoiseSecretFile == null) {
            byte[] b = new byte[32];
            new java.security.SecureRandom().nextBytes(b);
            return b;
        }
        try {
            byte[] b = Files.readAllBytes(dpNoiseSecretFile);
            if (b.length < 16) {
                throw new IllegalArgumentException("DP noise secret " + dpNoiseSecretFile + " must hold at least 16 bytes");
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read DP noise secret " + dpNoiseSecretFile, e);
        }
    }

    public TopicNames topics() {
        return TopicNames.withPrefix(topicPrefix);
    }

    /** The extra client properties, empty when no file was given. */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        if (kafkaPropertiesFile != null) {
            try (InputStream in = Files.newInputStream(kafkaPropertiesFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Kafka properties " + kafkaPropertiesFile, e);
            }
        }
        return p;
    }
}
