package io.floe.deploy.local;

import io.floe.core.wire.TopicNames;
import io.floe.deploy.kafka.EmbeddedKafkaBroker;
import io.floe.deploy.kafka.TopicAdmin;
import io.floe.flink.AggregationJob;
import io.floe.flink.AggregationJobOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * floe's server side as {@link EmbeddedFloe} runs it (a real KRaft broker, floe's topics, the
 * aggregation job with its exactly-once sink in a {@link LocalFlinkCluster}), plus the faults a
 * failover test injects: a TaskManager lost and replaced, the broker stopped and restarted on the
 * same ports and data, the job stopped with a savepoint and resumed from it.
 *
 * <p>Not {@link EmbeddedFloe} itself, which injects the same broker and TaskManager faults for
 * {@code ./floe demo --chaos}: the rig also stops the job with a savepoint and resumes it as a new
 * job id, keeps its data under the test's directory and checkpoints at the test's pace.
 */
final class FailoverRig implements AutoCloseable {
    private static final String JOB_NAME = "floe aggregation (failover test)";
    private static final Duration FLINK_TIMEOUT = Duration.ofSeconds(60);

    private final Path root;
    private final TopicNames topics = TopicNames.defaults();
    private final AggregationJobOptions options;
    private final byte[] dpNoiseSecret;
    private LocalFlinkCluster flink;
    private EmbeddedKafkaBroker broker;
    /** Set while the broker is stopped: starts the same broker again. */
    private EmbeddedKafkaBroker.Builder brokerRestart;
    private JobID jobId;
    /** Start index of the TaskManager that runs the job now (MiniCluster counts them in start order). */
    private int taskManager;

    private FailoverRig(Path root, EmbeddedKafkaBroker broker, int parallelism, Duration checkpointInterval) {
        this.root = root;
        this.broker = broker;
        this.options = new AggregationJobOptions();
        options.bootstrapServers = broker.bootstrapServers();
        options.checkpointIntervalMs = checkpointInterval.toMillis();
        options.parallelism = parallelism;
        options.transactionalIdPrefix = "floe-failover-" + System.currentTimeMillis();
        this.dpNoiseSecret = options.dpNoiseSecret();
    }

    /**
     * Starts the broker (data under {@code root}), creates floe's topics and submits the job.
     *
     * @param parallelism the job's parallelism, the TaskManagers' slots and the topics' partitions
     */
    static FailoverRig start(Path root, int parallelism, Duration checkpointInterval) throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(root.resolve("kafka")).closeOnJvmExit(true).start();
        FailoverRig rig = new FailoverRig(root, broker, parallelism, checkpointInterval);
        try {
            TopicAdmin.createFloeTopics(broker.bootstrapServers(), rig.topics, parallelism);
            rig.flink = LocalFlinkCluster.start(parallelism, "0");
            rig.jobId = rig.flink.submit(rig.pipeline(), JOB_NAME);
            return rig;
        } catch (Exception | Error e) {
            rig.close();
            throw e;
        }
    }

    /** The job as {@code AggregationJob.main} builds it, on the rig's options. */
    private StreamExecutionEnvironment pipeline() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AggregationJob.configure(env, options);
        AggregationJob.buildPipeline(env, AggregationJob.kafkaSource(options), AggregationJob.kafkaSink(options), topics,
                dpNoiseSecret);
        return env;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    TopicNames topics() {
        return topics;
    }

    /** Shuts down the TaskManager running the job, as a machine that is lost. */
    void loseTaskManager() throws Exception {
        flink.terminateTaskManager(taskManager, FLINK_TIMEOUT);
    }

    /** Starts a TaskManager in place of the lost one. */
    void replaceTaskManager() throws Exception {
        flink.startTaskManager();
        taskManager++;
    }

    /** Stops the broker (controlled shutdown); its data stays. */
    void stopBroker() {
        brokerRestart = broker.stopForRestart();
    }

    /** The same broker again: same ports and data, so every client configured for it reconnects. */
    void restartBroker() {
        broker = brokerRestart.start();
        brokerRestart = null;
    }

    /** Stops the job with a savepoint and returns the savepoint's path. */
    String stopWithSavepoint() throws Exception {
        return flink.stopWithSavepoint(jobId, root.resolve("savepoints"), FLINK_TIMEOUT);
    }

    /** Submits the same pipeline again, restored from {@code savepoint}; the rig follows the new job. */
    void resumeFrom(String savepoint) throws Exception {
        jobId = flink.submitFromSavepoint(pipeline(), JOB_NAME, savepoint);
    }

    /** Epoch millis when the last of the job's tasks became RUNNING, or -1 while not all of them are. */
    long allTasksRunningSince() throws Exception {
        return flink.allTasksRunningSince(jobId);
    }

    /** Epoch millis when the job last entered {@code status}, 0 if never. */
    long jobStatusSince(JobStatus status) throws Exception {
        return flink.jobStatusSince(jobId, status);
    }

    String jobStatus() throws Exception {
        return flink.jobStatus(jobId);
    }

    @Override
    public void close() throws Exception {
        try {
            if (flink != null) {
                try {
                    flink.cancel(jobId, Duration.ofSeconds(30));
                } catch (Exception ignored) {
                    // stopped with a savepoint, failed or never submitted: closing the cluster ends it anyway
                }
                flink.close();
            }
        } finally {
            broker.close();
        }
    }
}
