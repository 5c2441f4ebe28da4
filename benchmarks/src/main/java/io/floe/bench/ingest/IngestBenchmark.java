package io.floe.bench.ingest;

import io.floe.core.chunk.ChunkLayout;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.deploy.kafka.EmbeddedKafkaBroker;
import io.floe.deploy.kafka.TopicAdmin;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ChunkManifest;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * {@code ./floe bench ingest}: chunked updates (FedAvg, or the case's coordinate-wise or Krum-family rule) from
 * synthetic clients through a real KRaft broker and the real aggregation job (in a child JVM with
 * a bounded heap, {@link JobProcess}), and, in the same run on the same broker, a plain
 * produce+consume of the same bytes (same record sizes and keys, so the same partitions) as the
 * baseline. Per case: a fresh broker with floe's
 * topics at {@code partitions} partitions, the job, version 0 of a chunked model whose spec has
 * empty tensors (zeros), then {@code rounds} rounds of K updates (header first, then its chunks,
 * from a few producer threads; each chunk generated twice, {@link SyntheticUpdates}), each round
 * timed until a read_committed consumer has the next version's manifest and all of its chunks
 * ({@link VersionWatcher}). The broker's data goes when the case ends.
 */
public final class IngestBenchmark {
    static final String MODEL_ID = "ingest";
    static final String RAW_TOPIC = "bench.raw";
    static final double MB = 1e6;

    /** Run-wide settings. */
    public record Settings(int partitions, int producers, int heapMb, long seed) {
    }

    private final Settings settings;
    private final PrintStream log;

    public IngestBenchmark(Settings settings, PrintStream log) {
        this.settings = settings;
        this.log = log;
    }

    /** Runs every case, writing the JSON rows (after each case) and the markdown table; returns the rows. */
    public List<Map<String, Object>> run(List<IngestCase> cases, Path json, Path markdown, String command) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (IngestCase c : cases) {
            log.printf(Locale.ROOT, "== %s: %s, %d rounds (+%d warm-up), checkpoints every %d ms, %s state, chunks of %d bytes, %d partitions%n",
                    c.name(), c.rule(), c.rounds(), c.warmupRounds(), c.checkpointMs(), c.stateBackend(), c.chunkBytes(), settings.partitions());
            Map<String, Object> row = runCase(c, CaseLogs.of(json, c));
            rows.add(row);
            IngestReport.write(rows, json, markdown, command);
            log.println("   -> " + IngestReport.summary(row));
        }
        log.println();
        log.print(IngestReport.markdown(rows, command));
        return rows;
    }

    private Map<String, Object> runCase(IngestCase c, Path logs) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("case", c.name());
        row.put("parameters", c.parameters());
        row.put("clients", c.clients());
        row.put("rule", c.rule());
        if (c.rule().equals(io.floe.core.aggregate.TrimmedMean.NAME)) {
            row.put("trimFraction", IngestCase.TRIM_FRACTION);
        }
        if (c.selectsByKrumScores()) {
            row.put("byzantineClients", c.byzantineClients());
        }
        row.put("authentication", c.signed() ? "required" : "none");
        row.put("parallelism", c.parallelism());
        row.put("partitions", settings.partitions());
        row.put("chunkBytes", c.chunkBytes());
        row.put("chunksPerUpdate", ChunkLayout.of(c.parameters(), c.chunkBytes()).count());
        row.put("stateBackend", c.stateBackend());
        row.put("checkpointIntervalMs", c.checkpointMs());
        row.put("jobHeapMaxBytes", (long) settings.heapMb() << 20);
        row.put("roundsPlanned", c.rounds());
        row.put("warmupRounds", c.warmupRounds());
        row.put("roundsCompleted", 0);
        row.put("status", "failed");
        long wallStart = System.nanoTime();
        row.put("loadAverageAtStart", loadAverage());
        Path work = null;
        EmbeddedKafkaBroker broker = null;
        JobProcess job = null;
        try {
            work = Files.createTempDirectory("floe-bench-ingest-");
            broker = EmbeddedKafkaBroker.builder().closeOnJvmExit(true).start();
            TopicNames topics = TopicNames.defaults();
            TopicAdmin.createFloeTopics(broker.bootstrapServers(), topics, settings.partitions());
            TopicAdmin.createTopics(broker.bootstrapServers(), List.of(new NewTopic(RAW_TOPIC, settings.partitions(), (short) 1)));
            SignedClients signed = c.signed() ? new SignedClients(c.clients(), work.resolve("keys")) : null;
            job = JobProcess.start(broker.bootstrapServers(), c.parallelism(), c.checkpointMs(), c.stateBackend(), settings.heapMb(),
                    work.resolve("job"), signed == null ? null : signed.operatorPublicKey(), signed == null ? null : signed.jobPrivateKey());
            FlinkRest rest = new FlinkRest(job.restUrl(), job.jobId());
            Floe floe = new Floe(c, broker.bootstrapServers(), topics, job, rest, row, signed);
            double cpu0 = processCpuSeconds();
            Map<Integer, byte[][]> headers;
            // the largest checkpoint of the run, open rounds included (the REST API keeps only the last few)
            AtomicLong maxCheckpoint = new AtomicLong(-1);
            Thread poller = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        maxCheckpoint.accumulateAndGet(rest.checkpoints().stateSize(), Math::max);
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception ignored) {
                        // the job may be restarting
                    }
                }
            }, "checkpoint-poller");
            poller.setDaemon(true);
            poller.start();
            try {
                headers = floe.rounds();
            } finally {
                poller.interrupt();
                row.put("checkpointMaxBytes", maxCheckpoint.get());
            }
            // the clients' first pass (hashing) is their "training", not sending
            row.put("brokerAndClientsCpuSeconds", round3(processCpuSeconds() - cpu0 - (Double) row.getOrDefault("hashCpuSeconds", 0.0)));
            // the job's figures, then the job stops so that the baseline has the broker and cores to itself
            CaseLogs.dump(rest, logs, log);
            FlinkRest.Checkpoints cp = rest.checkpoints();
            row.put("checkpointBytes", cp.stateSize());
            row.put("checkpointMaxBytes", Math.max(cp.stateSize(), maxCheckpoint.get()));
            row.put("checkpointedBytes", cp.checkpointedSize());
            row.put("checkpointsCompleted", cp.completed());
            row.put("checkpointsFailed", cp.failed());
            row.put("lastCheckpointMs", cp.durationMs());
            row.put("lastCheckpointFailure", cp.lastFailure());
            row.put("jobFailures", rest.failures());
            row.put("jobCpuSeconds", round3(job.cpuSeconds()));
            row.put("jobPeakRssBytes", job.peakRssBytes());
            putHeap(row, job.stop());
            double rawCpu0 = processCpuSeconds();
            RawKafkaBaseline.run(c, broker.bootstrapServers(), headers, settings, row);
            row.put("rawCpuSeconds", round3(processCpuSeconds() - rawCpu0));
            row.put("status", "ok");
        } catch (Throwable e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (job != null) {
                FlinkRest rest = new FlinkRest(job.restUrl(), job.jobId());
                row.putIfAbsent("jobFailures", rest.failures());
                String root = rest.rootException();
                if (root != null) {
                    reason += " (job's last failure: " + root + ")";
                }
            }
            row.put("failure", reason);
            log.println("   FAILED: " + reason);
        } finally {
            if (job != null) {
                try {
                    if (!row.containsKey("peakHeapBytes")) {
                        row.putIfAbsent("jobCpuSeconds", round3(job.cpuSeconds()));
                        row.putIfAbsent("jobPeakRssBytes", job.peakRssBytes());
                        putHeap(row, job.stop());
                    }
                    job.close();
                } catch (Exception e) {
                    log.println("   (stopping the job: " + e + ")");
                }
            }
            if (broker != null) {
                broker.close();
            }
            if (work != null) {
                CaseLogs.keep(work.resolve("job"), logs, row, log);
                CaseLogs.deleteRecursively(work);
            }
        }
        row.put("wallSeconds", round3((System.nanoTime() - wallStart) / 1e9));
        row.put("loadAverageAtEnd", loadAverage());
        row.put("cpus", Runtime.getRuntime().availableProcessors());
        return row;
    }

    /** The floe side of one case. */
    private final class Floe {
        private final IngestCase c;
        private final String bootstrap;
        private final TopicNames topics;
        private final JobProcess job;
        private final Map<String, Object> row;
        private final SyntheticUpdates gen;
        /** Null: unsigned clients, no authentication. */
        private final SignedClients signed;

        Floe(IngestCase c, String bootstrap, TopicNames topics, JobProcess job, FlinkRest rest, Map<String, Object> row,
                SignedClients signed) {
            this.signed = signed;
            this.c = c;
            this.bootstrap = bootstrap;
            this.topics = topics;
            this.job = job;
            this.row = row;
            this.gen = new SyntheticUpdates(MODEL_ID, ChunkLayout.of(c.parameters(), c.chunkBytes()), settings.seed());
        }

        /** Runs the rounds; returns each completed measured round's encoded headers by round (the baseline sends them again). */
        Map<Integer, byte[][]> rounds() throws Exception {
            Map<Integer, byte[][]> sentHeaders = new LinkedHashMap<>();
            List<Double> latencies = new ArrayList<>();
            List<Double> warmup = new ArrayList<>();
            long bytes = 0;
            double floeSeconds = 0;
            double sendSeconds = 0;
            double hashSeconds = 0;
            double hashCpu = 0;
            Duration roundTimeout = Duration.ofSeconds(90 + (long) (c.clients() * c.updateValueBytes() / (5 * MB)));
            try (VersionWatcher watcher = new VersionWatcher(bootstrap, topics.models(), MODEL_ID);
                    Producers producers = new Producers(bootstrap, settings.producers())) {
                long t0 = System.nanoTime();
                byte[] modelKey = MODEL_ID.getBytes(StandardCharsets.UTF_8);
                producers.sendSync(topics.control(), modelKey, WireCodec.MODEL_SPEC.encode(signed == null ? spec(c) : signed.signedSpec(spec(c))));
                if (signed != null) {
                    for (byte[] enrolment : signed.enrolments(MODEL_ID)) {
                        producers.sendSync(topics.control(), modelKey, enrolment);
                    }
                }
                watcher.await(0, Duration.ofSeconds(120 + c.parameters() / 1_000_000), job::isAlive);
                log.printf(Locale.ROOT, "   version 0 readable after %.1f s (job at %s)%n", (System.nanoTime() - t0) / 1e9, job.restUrl());
                for (int r = 1; r <= c.warmupRounds() + c.rounds(); r++) {
                    boolean measured = r > c.warmupRounds();
                    long h0 = System.nanoTime();
                    double hc0 = processCpuSeconds();
                    byte[][] headers = headers(r);
                    hashSeconds += (System.nanoTime() - h0) / 1e9;
                    hashCpu += processCpuSeconds() - hc0;
                    row.put("hashCpuSeconds", round3(hashCpu));
                    Producers.Sent sent = producers.send(topics.updates(), gen, r, headers);
                    long readable = watcher.await(r, roundTimeout, job::isAlive);
                    double latencyMs = (readable - sent.lastAckNanos()) / 1e6;
                    double roundSeconds = (readable - sent.firstSendNanos()) / 1e9;
                    if (measured) {
                        latencies.add(latencyMs);
                        bytes += sent.bytes();
                        floeSeconds += roundSeconds;
                        sendSeconds += (sent.lastAckNanos() - sent.firstSendNanos()) / 1e9;
                        sentHeaders.put(r, headers);
                        row.put("roundsCompleted", r - c.warmupRounds());
                    } else {
                        warmup.add(round3(latencyMs));
                        row.put("warmupLatenciesMs", warmup);
                    }
                    log.printf(Locale.ROOT, "   %s %d: %.0f MB sent in %.2f s, version %d readable %.0f ms after the last ack (%.1f MB/s end to end)%n",
                            measured ? "round" : "warm-up round", r, sent.bytes() / MB, (sent.lastAckNanos() - sent.firstSendNanos()) / 1e9, r, latencyMs,
                            sent.bytes() / MB / roundSeconds);
                    putFloe(row, bytes, floeSeconds, sendSeconds, hashSeconds, latencies);
                }
            } finally {
                putFloe(row, bytes, floeSeconds, sendSeconds, hashSeconds, latencies);
            }
            return sentHeaders;
        }

        /** The K headers of round r: every client's chunks generated and hashed (the clients' first pass, not timed). */
        private byte[][] headers(long r) throws Exception {
            byte[][] out = new byte[c.clients()][];
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(c.clients(), Math.max(1, Runtime.getRuntime().availableProcessors())));
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int k = 0; k < c.clients(); k++) {
                    int client = k;
                    fs.add(pool.submit(() -> {
                        ChunkManifest m = gen.manifest(r, client);
                        ModelUpdate header = gen.header(r, client, 100 + client, m);
                        out[client] = WireCodec.MODEL_UPDATE.encode(signed == null ? header : signed.sign(header, client));
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            return out;
        }
    }

    private static void putFloe(Map<String, Object> row, long bytes, double floeSeconds, double sendSeconds, double hashSeconds,
            List<Double> latencies) {
        double[] l = latencies.stream().mapToDouble(Double::doubleValue).toArray();
        row.put("updateBytes", bytes);
        row.put("floeSeconds", round3(floeSeconds));
        row.put("floeMBps", floeSeconds > 0 ? round3(bytes / MB / floeSeconds) : null);
        row.put("produceMBps", sendSeconds > 0 ? round3(bytes / MB / sendSeconds) : null);
        row.put("hashSeconds", round3(hashSeconds));
        row.put("latencyP50Ms", l.length > 0 ? round3(Percentiles.nearestRank(l, 50)) : null);
        row.put("latencyP99Ms", l.length > 0 ? round3(Percentiles.nearestRank(l, 99)) : null);
        row.put("latenciesMs", latencies.stream().map(IngestBenchmark::round3).toList());
    }


    /**
     * A chunked model of d parameters in one tensor with empty data (zeros), K clients per round,
     * aggregated with the case's rule (trimmed mean's beta {@link IngestCase#TRIM_FRACTION}; Krum,
     * Multi-Krum and Bulyan with f = {@link IngestCase#byzantineClients()}, Multi-Krum's m = K - f).
     */
    static ModelSpec spec(IngestCase c) {
        Tensor w = Tensor.newBuilder().setName("w").setShape(List.of((int) c.parameters())).setData(ByteBuffer.allocate(0)).build();
        return ModelSpec.newBuilder().setModelId(MODEL_ID).setArchitecture("opaque").setInitialTensors(List.of(w))
                .setAggregation(AggregationConfig.newBuilder().setRule(c.rule()).setTrimFraction(IngestCase.TRIM_FRACTION)
                        .setByzantineClients(c.byzantineClients()).setClientsPerRound(c.clients()).setChunkBytes(c.chunkBytes()).build())
                .setTraining(ClientTrainingConfig.newBuilder().build()).setCreatedAt(Instant.now()).build();
    }

    /** The machine's 1-minute load average (other work on a shared machine slows every figure), or -1. */
    static double loadAverage() {
        return round3(java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }

    private static void putHeap(Map<String, Object> row, JobProcess.Heap heap) {
        row.put("peakHeapBytes", heap == null ? -1 : heap.peakBytes());
        row.put("maxHeapAfterGcBytes", heap == null ? -1 : heap.maxAfterGcBytes());
        if (heap != null) {
            row.put("jobHeapMaxBytes", heap.maxBytes());
        }
    }

    /** CPU time of this JVM (broker, clients, consumers), seconds. */
    static double processCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() / 1e9 : -1;
    }
}
