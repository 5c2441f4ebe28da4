package io.floe.deploy.local;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A real Flink runtime in this JVM: a {@link MiniCluster} (JobManager, one TaskManager, the REST
 * endpoint and, with flink-runtime-web on the classpath, the web UI on localhost). Jobs built on
 * any {@link StreamExecutionEnvironment} are submitted to it as their stream graph. Optionally
 * its metrics, floe's per-model metrics among them, are served to Prometheus ({@link PrometheusEndpoint}).
 */
public final class LocalFlinkCluster implements AutoCloseable {
    private final MiniCluster cluster;
    private final URI restAddress;
    private final Path checkpoints;
    private final PrometheusEndpoint metrics;

    private LocalFlinkCluster(MiniCluster cluster, URI restAddress, Path checkpoints, PrometheusEndpoint metrics) {
        this.cluster = cluster;
        this.restAddress = restAddress;
        this.checkpoints = checkpoints;
        this.metrics = metrics;
    }

    /**
     * @param slots task slots (the most parallelism a job can have)
     * @param restPorts port or range for the REST endpoint and web UI, e.g. {@code 8081-8099}; {@code 0} for any
     */
    public static LocalFlinkCluster start(int slots, String restPorts) throws Exception {
        return start(slots, restPorts, null);
    }

    /**
     * As above, with a Prometheus endpoint serving the cluster's metrics when {@code metrics} is not null.
     */
    public static LocalFlinkCluster start(int slots, String restPorts, PrometheusEndpoint metrics) throws Exception {
        Configuration conf = new Configuration();
        if (metrics != null) {
            metrics.configure(conf);
        }
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, restPorts);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(64));
        // Checkpoints go to files in a temporary directory: the JobManager's in-memory storage caps a
        // task's state at 5 MB, which ten buffered updates of a 200k-parameter model (Fashion-MNIST
        // mlp) exceed, and a failed checkpoint never commits the published model's transaction.
        Path checkpoints = Files.createTempDirectory("floe-flink-checkpoints-");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        return new LocalFlinkCluster(cluster, cluster.getRestAddress().get(30, TimeUnit.SECONDS), checkpoints, metrics);
    }

    /** Submits the job built on {@code env} and returns its id without waiting for it to finish. */
    public JobID submit(StreamExecutionEnvironment env, String jobName) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        return cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
    }

    /** The job's status name, e.g. RUNNING or FAILED. */
    public String jobStatus(JobID id) throws Exception {
        return cluster.getJobStatus(id).get(10, TimeUnit.SECONDS).name();
    }

    public void cancel(JobID id, Duration timeout) throws Exception {
        cluster.cancelJob(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The web UI / REST address, e.g. http://127.0.0.1:8081. */
    public URI webUi() {
        return restAddress;
    }

    /** The Prometheus scrape URL, e.g. http://127.0.0.1:9249/metrics; empty when the cluster has no reporter. */
    public Optional<URI> metricsUrl() {
        return Optional.ofNullable(metrics).map(PrometheusEndpoint::scrapeUrl);
    }

    @Override
    public void close() throws Exception {
        try {
            cluster.closeAsync().get(60, TimeUnit.SECONDS);
        } finally {
            deleteRecursively(checkpoints);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- failover: TaskManagers come and go, a job stops with a savepoint and resumes from it ----

    /**
     * Shuts down a TaskManager, as a lost machine: the job's tasks on it fail and the job restarts
     * by its restart strategy once slots are available again ({@link #startTaskManager()}).
     *
     * @param index in start order: 0 is the cluster's first TaskManager, each {@link #startTaskManager()}
     *              adds the next index (a terminated one keeps its index)
     */
    public void terminateTaskManager(int index, Duration timeout) throws Exception {
        cluster.terminateTaskManager(index).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts one more TaskManager with as many slots as the first one, as a replacement machine would join. */
    public void startTaskManager() throws Exception {
        cluster.startTaskManager();
    }

    /**
     * Stops the job with a savepoint in {@code directory} (without draining: timers and open rounds
     * stay in the savepoint) and returns the savepoint's path for {@link #submitFromSavepoint}.
     */
    public String stopWithSavepoint(JobID id, Path directory, Duration timeout) throws Exception {
        return cluster.stopWithSavepoint(id, directory.toUri().toString(), false, SavepointFormatType.CANONICAL)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Submits the job built on {@code env}, restoring its state from {@code savepointPath}. */
    public JobID submitFromSavepoint(StreamExecutionEnvironment env, String jobName, String savepointPath) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepointPath, false));
        return cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
    }

    /**
     * When the last of the job's subtasks switched to RUNNING (epoch millis), or -1 while the job or
     * any subtask is not RUNNING: a job that restarts is RUNNING again before its tasks are deployed
     * on new slots, so the job's own status says too little about when it can work again.
     */
    public long allTasksRunningSince(JobID id) throws Exception {
        AccessExecutionGraph graph = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS);
        if (graph.getState() != JobStatus.RUNNING) {
            return -1;
        }
        long since = 0;
        for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
            if (v.getExecutionState() != ExecutionState.RUNNING) {
                return -1;
            }
            since = Math.max(since, v.getStateTimestamp(ExecutionState.RUNNING));
        }
        return since;
    }

    /** When the job last entered {@code status}, epoch millis; 0 if it never did. */
    public long jobStatusSince(JobID id, JobStatus status) throws Exception {
        return cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getStatusTimestamp(status);
    }

    /** Waits until the job has reached a terminal state (e.g. CANCELED after {@link #cancel}). */
    public void awaitTerminal(JobID id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cluster.getJobStatus(id).get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new java.util.concurrent.TimeoutException("job " + id + " did not stop within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
