package io.floe.deploy.local;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A real Flink runtime in this JVM: a {@link MiniCluster} (JobManager, one TaskManager, the REST
 * endpoint and, with flink-runtime-web on the classpath, the web UI on localhost). Jobs built on
 * any {@link StreamExecutionEnvironment} are submitted to it as their stream graph.
 */
public final class LocalFlinkCluster implements AutoCloseable {
    private final MiniCluster cluster;
    private final URI restAddress;
    private final Path checkpoints;

    private LocalFlinkCluster(MiniCluster cluster, URI restAddress, Path checkpoints) {
        this.cluster = cluster;
        this.restAddress = restAddress;
        this.checkpoints = checkpoints;
    }

    /**
     * @param slots task slots (the most parallelism a job can have)
     * @param restPorts port or range for the REST endpoint and web UI, e.g. {@code 8081-8099}; {@code 0} for any
     */
    public static LocalFlinkCluster start(int slots, String restPorts) throws Exception {
        Configuration conf = new Configuration();
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
        return new LocalFlinkCluster(cluster, cluster.getRestAddress().get(30, TimeUnit.SECONDS), checkpoints);
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
