package io.floe.deploy.local;

import io.floe.flink.shard.KafkaChunkRefetch;

import io.floe.core.trust.JobTrust;
import io.floe.core.wire.TopicNames;
import io.floe.deploy.chaos.FaultTarget;
import io.floe.deploy.kafka.EmbeddedKafkaBroker;
import io.floe.deploy.kafka.TopicAdmin;
import io.floe.flink.AggregationJob;
import io.floe.flink.AggregationJobOptions;
import io.floe.flink.resume.PublishedModels;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * floe's server side in one JVM, with the same code paths as production: a real KRaft Kafka
 * broker on loopback, floe's topics ({@code models} compacted), and the aggregation job running
 * in a Flink MiniCluster with its web UI, reading and writing the broker through the real Kafka
 * source and exactly-once sink.
 *
 * <p>It can also fail on purpose, as {@code ./floe demo --chaos} has it fail ({@link FaultTarget}):
 * the broker stops and comes back on the same ports with its data, the job's TaskManager is lost
 * and a new one joins. Clients configured with {@link #bootstrapServers()} reconnect by themselves.
 */
public final class EmbeddedFloe implements AutoCloseable, FaultTarget {
    private static final Duration FLINK_TIMEOUT = Duration.ofSeconds(60);

    private volatile EmbeddedKafkaBroker broker;
    /** Set while the broker is stopped for a restart: starts the same broker again. */
    private EmbeddedKafkaBroker.Builder brokerRestart;
    private final String bootstrapServers;
    /** Start index of the TaskManager that runs the job now (MiniCluster counts them in start order). */
    private int taskManager;
    private final LocalFlinkCluster flink;
    private JobID jobId;
    private final TopicNames topics;
    private final JobTrust trust;
    /** The federation's keys when it runs with authentication ({@link #federation()}). */
    private FederationKeys federation;

    private EmbeddedFloe(EmbeddedKafkaBroker broker, LocalFlinkCluster flink, JobID jobId, TopicNames topics, JobTrust trust) {
        this.trust = trust;
        this.broker = broker;
        this.bootstrapServers = broker.bootstrapServers();
        this.flink = flink;
        this.jobId = jobId;
        this.topics = topics;
    }

    /**
     * @param parallelism the job's parallelism (and the cluster's slots)
     * @param partitions partitions of each topic
     * @param checkpointInterval how often the job checkpoints, i.e. how soon a published model becomes visible
     * @param restPorts port or range of the Flink web UI
     */
    public static EmbeddedFloe start(int parallelism, int partitions, Duration checkpointInterval, String restPorts)
            throws Exception {
        return start(parallelism, partitions, checkpointInterval, restPorts, null);
    }

    /**
     * As above; {@code dpNoiseSecret} keys the HMAC that seeds central-DP noise per (model,
     * version), so a run with the same secret and seed replays the same noise (null: a random
     * secret, noise not replayable).
     */
    public static EmbeddedFloe start(int parallelism, int partitions, Duration checkpointInterval, String restPorts,
            byte[] dpNoiseSecret) throws Exception {
        return start(parallelism, partitions, checkpointInterval, restPorts, dpNoiseSecret, null);
    }

    /**
     * As above; {@code metricsPorts}, when not null, is the port or range (e.g.
     * {@link PrometheusEndpoint#DEFAULT_PORTS}) where the cluster's Prometheus endpoint listens.
     */
    public static EmbeddedFloe start(int parallelism, int partitions, Duration checkpointInterval, String restPorts,
            byte[] dpNoiseSecret, String metricsPorts) throws Exception {
        return start(parallelism, partitions, checkpointInterval, restPorts, dpNoiseSecret, metricsPorts, JobTrust.none());
    }

    /**
     * As above, for a federation with authentication: the job obeys {@code keys}' operator and signs
     * with its job key; runs on it ({@link FederatedRun}) enrol their sites and sign.
     */
    public static EmbeddedFloe start(int parallelism, int partitions, Duration checkpointInterval, String restPorts,
            byte[] dpNoiseSecret, String metricsPorts, FederationKeys keys) throws Exception {
        EmbeddedFloe floe = start(parallelism, partitions, checkpointInterval, restPorts, dpNoiseSecret, metricsPorts, keys.jobTrust());
        floe.federation = keys;
        return floe;
    }

    /**
     * As above; {@code trust} holds the operators' public keys the job obeys and the job's own key,
     * which signs every version ({@code --operator-keys}, {@code --job-key}).
     */
    public static EmbeddedFloe start(int parallelism, int partitions, Duration checkpointInterval, String restPorts,
            byte[] dpNoiseSecret, String metricsPorts, JobTrust trust) throws Exception {
        return start(parallelism, partitions, checkpointInterval, restPorts, dpNoiseSecret, metricsPorts, trust, "hashmap");
    }

    /**
     * As above, the job's keyed state in {@code stateBackend}: {@code hashmap} (the heap, the default)
     * or {@code rocksdb} (on disk, incremental checkpoints: for rounds larger than the heap; needs
     * {@code flink-statebackend-rocksdb} on the classpath).
     */
    public static EmbeddedFloe start(int parallelism, int partitions, Duration checkpointInterval, String restPorts,
            byte[] dpNoiseSecret, String metricsPorts, JobTrust trust, String stateBackend) throws Exception {
        PrometheusEndpoint metrics = metricsPorts == null ? null : PrometheusEndpoint.firstFree(metricsPorts);
        TopicNames topics = TopicNames.defaults();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().closeOnJvmExit(true).start();
        LocalFlinkCluster flink = null;
        try {
            TopicAdmin.createFloeTopics(broker.bootstrapServers(), topics, partitions);
            flink = LocalFlinkCluster.start(parallelism, restPorts, metrics);
            AggregationJobOptions options = new AggregationJobOptions();
            options.bootstrapServers = broker.bootstrapServers();
            options.checkpointIntervalMs = checkpointInterval.toMillis();
            options.parallelism = parallelism;
            options.transactionalIdPrefix = "floe-embedded-" + System.currentTimeMillis();
            org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
            conf.set(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND, stateBackend);
            if (stateBackend.equals("rocksdb")) {
                conf.set(org.apache.flink.configuration.CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            AggregationJob.configure(env, options);
            AggregationJob.buildPipeline(env, AggregationJob.kafkaSource(options), AggregationJob.kafkaSink(options), topics,
                    dpNoiseSecret != null ? dpNoiseSecret : options.dpNoiseSecret(), PublishedModels.none(),
                    new KafkaChunkRefetch(options.bootstrapServers, options.kafkaProperties()), trust);
            JobID id = flink.submit(env, "floe aggregation");
            return new EmbeddedFloe(broker, flink, id, topics, trust);
        } catch (Exception | Error e) {
            if (flink != null) {
                flink.close();
            }
            broker.close();
            throw e;
        }
    }

    /** The broker's address; the same across {@link #stopBroker()} and {@link #restartBroker()}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops the broker (controlled shutdown); its data stays for {@link #restartBroker()}. */
    @Override
    public synchronized void stopBroker() {
        if (brokerRestart != null) {
            throw new IllegalStateException("the broker is stopped already");
        }
        brokerRestart = broker.stopForRestart();
    }

    /** Starts the stopped broker again on the same ports and data. */
    @Override
    public synchronized void restartBroker() {
        if (brokerRestart == null) {
            throw new IllegalStateException("the broker is running; stopBroker() first");
        }
        broker = brokerRestart.start();
        brokerRestart = null;
    }

    /** Shuts down the TaskManager running the job, as a lost machine: the job restarts once slots are back. */
    @Override
    public synchronized void loseTaskManager() throws Exception {
        flink.terminateTaskManager(taskManager, FLINK_TIMEOUT);
    }

    /** Starts a TaskManager in place of the lost one (as many slots as the first). */
    @Override
    public synchronized void replaceTaskManager() throws Exception {
        flink.startTaskManager();
        taskManager++;
    }

    @Override
    public long allTasksRunningSince() throws Exception {
        return flink.allTasksRunningSince(jobId);
    }

    /** The federation's keys, when the job was started with them (authentication required). */
    public java.util.Optional<FederationKeys> federation() {
        return java.util.Optional.ofNullable(federation);
    }

    public TopicNames topics() {
        return topics;
    }

    public URI flinkWebUi() {
        return flink.webUi();
    }

    /** Where Prometheus scrapes the job's metrics; empty when started without a metrics port. */
    public Optional<URI> metricsUrl() {
        return flink.metricsUrl();
    }

    public JobID jobId() {
        return jobId;
    }

    public String jobStatus() throws Exception {
        return flink.jobStatus(jobId);
    }

    @Override
    public void close() throws Exception {
        try {
            flink.cancel(jobId, Duration.ofSeconds(30));
        } catch (Exception ignored) {
            // the job may have finished or failed already; closing the cluster stops it anyway
        }
        try {
            flink.close();
        } finally {
            broker.close();
        }
    }
    /**
     * Cancels the running job without a savepoint and submits a fresh one, without state, against
     * the same broker, topics and consumer group: what a redeploy after lost checkpoints does. With
     * {@code resumeFromTopics} the fresh job continues each model from the models topic
     * ({@code --resume-from-topics}); without, every model starts again at version 0.
     *
     * @return the fresh job's id (also {@link #jobId()} from now on)
     */
    public JobID restartWithoutState(Duration checkpointInterval, int parallelism, boolean resumeFromTopics) throws Exception {
        flink.cancel(jobId, Duration.ofSeconds(30));
        flink.awaitTerminal(jobId, Duration.ofSeconds(60));
        AggregationJobOptions options = new AggregationJobOptions();
        options.bootstrapServers = broker.bootstrapServers();
        options.checkpointIntervalMs = checkpointInterval.toMillis();
        options.parallelism = parallelism;
        options.transactionalIdPrefix = "floe-embedded-" + System.currentTimeMillis();
        options.resumeFromTopics = resumeFromTopics;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AggregationJob.configure(env, options);
        PublishedModels published = AggregationJob.publishedModels(options);
        AggregationJob.buildPipeline(env, AggregationJob.kafkaSource(options, published), AggregationJob.kafkaSink(options), topics,
                options.dpNoiseSecret(), published, new KafkaChunkRefetch(options.bootstrapServers, options.kafkaProperties()), trust);
        jobId = flink.submit(env, "floe aggregation");
        return jobId;
    }
}
