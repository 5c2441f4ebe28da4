package io.floe.bench.ingest;

import io.floe.core.trust.JobTrust;
import io.floe.core.wire.TopicNames;
import io.floe.deploy.local.LocalFlinkCluster;
import io.floe.flink.AggregationJob;
import io.floe.flink.AggregationJobOptions;
import io.floe.flink.resume.PublishedModels;
import io.floe.flink.shard.KafkaChunkRefetch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The aggregation job in a JVM of its own, so that its heap is bounded ({@code -Xmx}) and its peak
 * measured apart from the broker and the synthetic clients: a Flink MiniCluster
 * ({@link LocalFlinkCluster}) running {@link AggregationJob#buildPipeline} against the bench's
 * broker, as {@code EmbeddedFloe} does in one JVM.
 *
 * <p>Child side ({@link #main}): args {@code bootstrap parallelism checkpointMs hashmap|rocksdb [operatorKeys jobKey]};
 * prints {@code READY <rest-url> <job-id>}, then on the line {@code stop} prints
 * {@code PEAK_HEAP <peak-bytes> <max-after-gc-bytes> <xmx-bytes>}, stops the job and exits. Parent side: {@link #start}.
 */
public final class JobProcess implements AutoCloseable {
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final String restUrl;
    private final String jobId;
    private final Path workDir;

    private JobProcess(Process process, Path workDir, Duration startTimeout) throws Exception {
        this.process = process;
        this.workDir = workDir;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "job-process-stdout");
        pump.setDaemon(true);
        pump.start();
        String ready = awaitLine("READY ", startTimeout);
        String[] parts = ready.split(" ");
        this.restUrl = parts[1];
        this.jobId = parts[2];
    }

    /**
     * Starts the job in a child JVM with {@code -Xmx<heapMb>m}, its temporary files (checkpoints,
     * RocksDB) and GC log in {@code workDir}, its log output in {@code workDir/job.log}.
     */
    public static JobProcess start(String bootstrap, int parallelism, long checkpointMs, String backend, int heapMb, Path workDir)
            throws Exception {
        return start(bootstrap, parallelism, checkpointMs, backend, heapMb, workDir, null, null);
    }

    /** As above; with key files the job obeys that operator and signs its versions ({@code --operator-keys}, {@code --job-key}). */
    public static JobProcess start(String bootstrap, int parallelism, long checkpointMs, String backend, int heapMb, Path workDir,
            Path operatorKeys, Path jobKey) throws Exception {
        Files.createDirectories(workDir);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapMb + "m", "-Xms256m", "-Djava.io.tmpdir=" + workDir, "-Xlog:gc:file=" + workDir.resolve("gc.log"),
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=classpath:floe-log4j2.properties"));
        String extra = System.getenv("FLOE_BENCH_JOB_JVM_OPTS"); // e.g. a flight recording: -XX:StartFlightRecording=filename=...
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JobProcess.class.getName(),
                bootstrap, Integer.toString(parallelism), Long.toString(checkpointMs), backend));
        if (operatorKeys != null) {
            cmd.add(operatorKeys.toString());
            cmd.add(jobKey.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectError(workDir.resolve("job.log").toFile()).start();
        try {
            return new JobProcess(p, workDir, Duration.ofSeconds(180));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    public String restUrl() {
        return restUrl;
    }

    public String jobId() {
        return jobId;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The job's log (stderr of the child), for failure reports. */
    public Path log() {
        return workDir.resolve("job.log");
    }

    /** The job JVM's heap figures when it stopped: peak in use, most in use right after a GC, -Xmx. */
    public record Heap(long peakBytes, long maxAfterGcBytes, long maxBytes) {
    }

    /** Stops the job; returns the child's heap figures (null when the child is gone). */
    public Heap stop() throws Exception {
        if (!process.isAlive()) {
            return null;
        }
        stdin.write("stop\n");
        stdin.flush();
        String[] peak = awaitLine("PEAK_HEAP ", Duration.ofSeconds(30)).split(" ");
        process.waitFor(60, TimeUnit.SECONDS);
        return new Heap(Long.parseLong(peak[1]), Long.parseLong(peak[2]), Long.parseLong(peak[3]));
    }

    /**
     * The job JVM's peak resident memory so far (Linux {@code VmHWM}), bytes; -1 where unknown. It
     * counts what the heap figures do not: RocksDB's native memory, metaspace, thread stacks, direct buffers.
     */
    public long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024; // "VmHWM:   123456 kB"
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the child is gone
        }
        return -1;
    }

    /** CPU time the job's JVM has used so far (all its threads), seconds; -1 if unknown. */
    public double cpuSeconds() {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(-1.0);
    }

    private String awaitLine(String prefix, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                throw new IllegalStateException("the job's JVM exited (" + process.exitValue() + ") before '" + prefix.trim()
                        + "'; see " + log());
            }
        }
        throw new IllegalStateException("no '" + prefix.trim() + "' from the job's JVM within " + timeout + "; see " + log());
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Child side. */
    public static void main(String[] args) throws Exception {
        HeapPeak heap = HeapPeak.start();
        String bootstrap = args[0];
        int parallelism = Integer.parseInt(args[1]);
        long checkpointMs = Long.parseLong(args[2]);
        String backend = args[3];
        JobTrust trust = args.length >= 6 ? JobTrust.read(Path.of(args[4]), Path.of(args[5])) : JobTrust.none();
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        if (backend.equals("rocksdb")) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
        LocalFlinkCluster flink = LocalFlinkCluster.start(parallelism, "0");
        TopicNames topics = TopicNames.defaults();
        AggregationJobOptions options = new AggregationJobOptions();
        options.bootstrapServers = bootstrap;
        options.checkpointIntervalMs = checkpointMs;
        options.parallelism = parallelism;
        // A/B runs of the network buffer timeout: FLOE_BENCH_JOB_JVM_OPTS=-Dfloe.bench.bufferTimeoutMs=100
        options.bufferTimeoutMs = Long.getLong("floe.bench.bufferTimeoutMs", options.bufferTimeoutMs);
        options.transactionalIdPrefix = "floe-bench-" + System.currentTimeMillis();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        AggregationJob.configure(env, options);
        AggregationJob.buildPipeline(env, AggregationJob.kafkaSource(options), AggregationJob.kafkaSink(options), topics,
                options.dpNoiseSecret(), PublishedModels.none(), new KafkaChunkRefetch(options.bootstrapServers, options.kafkaProperties()),
                trust);
        JobID id = flink.submit(env, "floe aggregation");
        System.out.println("READY " + flink.webUi() + " " + id);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
            // wait for the parent
        }
        System.out.println("PEAK_HEAP " + heap.peakBytes() + " " + heap.maxAfterGcBytes() + " " + HeapPeak.maxBytes());
        System.out.flush();
        try {
            flink.cancel(id, Duration.ofSeconds(30));
        } catch (Exception ignored) {
            // failed or finished already
        }
        try {
            flink.close();
        } finally {
            System.exit(0);
        }
    }
}
