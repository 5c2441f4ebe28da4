package io.floe.bench.ingest;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./floe bench ingest}: its options, then {@link IngestBenchmark} over the chosen cases. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Chunked models through the real broker and job: synthetic clients send chunked updates (d up to 100M",
                "parameters; FedAvg, median, trimmed mean, Krum, Multi-Krum or Bulyan), the job runs in a child JVM with a bounded heap,",
                "and a plain produce+consume of the same bytes on the",
                "same broker is the baseline. One JSON row per case (MB/s, latency p50/p99, the job's peak heap, checkpoint size)",
                "and a markdown table. See docs/benchmarks.md."})
public final class IngestCommand implements Callable<Integer> {
    @Option(names = "--profile", defaultValue = "quick",
            description = {"quick (d=1M K=32 p=1 with 200 ms checkpoints, d=10M K=32 p=2 unsigned and signed, d=100M K=8 p=2; under",
                    "10 min on 2 cores), full (more parallelisms and rounds, d=100M K=32), rules (on RocksDB: median at d=10M K=32",
                    "p=1 and 2, trimmed-mean at p=1, median at d=100M K=8 p=2 and 1, krum at d=10M K=32 p=1 and 2), or cases",
                    "'" + IngestCase.SYNTAX + "' separated by ';'; a krum, multi-krum or bulyan case runs with",
                    "f = max(0, floor((K - 3) / 4)) Byzantine clients, shown in its name (default: ${DEFAULT-VALUE})."})
    String profile;

    @Option(names = "--json", defaultValue = "floe-out/ingest-bench.json", description = "(default: ${DEFAULT-VALUE})")
    Path json;

    @Option(names = "--markdown", defaultValue = "floe-out/ingest-bench.md", description = "(default: ${DEFAULT-VALUE})")
    Path markdown;

    @Option(names = "--chunk-bytes", defaultValue = "" + io.floe.core.chunk.ChunkLayout.DEFAULT_CHUNK_BYTES,
            description = "The model's aggregation.chunkBytes (default: ${DEFAULT-VALUE}, fits Kafka's default record limits).")
    int chunkBytes;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--producers", defaultValue = "3", description = "Producer threads of the synthetic clients (default: ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = "--job-heap-mb", defaultValue = "2048", description = "-Xmx of the job's JVM (default: ${DEFAULT-VALUE}).")
    int heapMb;

    @Option(names = "--seed", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        List<io.floe.bench.ingest.IngestCase> cases;
        try {
            cases = io.floe.bench.ingest.IngestCase.profile(profile, chunkBytes);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        String command = "./floe bench ingest --profile " + shellWord(profile) + " --json " + shellWord(json.toString())
                + (markdown.equals(Path.of("floe-out/ingest-bench.md")) ? "" : " --markdown " + shellWord(markdown.toString()))
                + (chunkBytes != io.floe.core.chunk.ChunkLayout.DEFAULT_CHUNK_BYTES ? " --chunk-bytes " + chunkBytes : "")
                + (partitions != 4 ? " --partitions " + partitions : "") + (producers != 3 ? " --producers " + producers : "")
                + (heapMb != 2048 ? " --job-heap-mb " + heapMb : "");
        List<java.util.Map<String, Object>> rows = new io.floe.bench.ingest.IngestBenchmark(
                new io.floe.bench.ingest.IngestBenchmark.Settings(partitions, producers, heapMb, seed), System.out)
                .run(cases, json, markdown, command);
        System.out.println("wrote " + json + " and " + markdown);
        return rows.stream().allMatch(r -> "ok".equals(r.get("status"))) ? 0 : 1;
    }

    /** {@code s} as one shell word, for the command line the report repeats: quoted when it holds more than [A-Za-z0-9,.=_/:+-]. */
    static String shellWord(String s) {
        return !s.isEmpty() && s.matches("[A-Za-z0-9,.=_/:+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
