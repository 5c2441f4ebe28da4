package io.floe.bench.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * One case of {@code bench ingest}: {@code clients} synthetic clients send chunked FedAvg updates
 * of {@code parameters} float32 values for {@code rounds} rounds, through the job at
 * {@code parallelism} with {@code stateBackend} and a checkpoint every {@code checkpointMs}.
 */
public record IngestCase(long parameters, int clients, int parallelism, int rounds, long checkpointMs, String stateBackend,
        int chunkBytes, int warmupRounds, boolean signed) {
    public static final String RULE = "fedavg";

    public IngestCase {
        if (parameters < 1 || clients < 1 || parallelism < 1 || rounds < 1 || checkpointMs < 10 || warmupRounds < 0) {
            throw new IllegalArgumentException("bad case " + parameters + "/" + clients + "/" + parallelism + "/" + rounds + "/" + checkpointMs);
        }
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("state backend must be hashmap or rocksdb, not " + stateBackend);
        }
    }

    public IngestCase(long parameters, int clients, int parallelism, int rounds, long checkpointMs, String stateBackend, int chunkBytes) {
        this(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, 0);
    }

    public IngestCase(long parameters, int clients, int parallelism, int rounds, long checkpointMs, String stateBackend, int chunkBytes,
            int warmupRounds) {
        this(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, warmupRounds, false);
    }

    /** The same case with client authentication required: enrolled clients sign every update header, the job verifies. */
    public IngestCase withSignatures() {
        return new IngestCase(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, warmupRounds, true);
    }

    /** e.g. {@code d=10M K=32 p=2}, or {@code d=10M K=32 p=2 signed}. */
    public String name() {
        return "d=" + human(parameters) + " K=" + clients + " p=" + parallelism + (signed ? " signed" : "");
    }

    /** Bytes of one update's values. */
    public long updateValueBytes() {
        return 4 * parameters;
    }

    static String human(long n) {
        if (n % 1_000_000 == 0) {
            return n / 1_000_000 + "M";
        }
        if (n % 1_000 == 0) {
            return n / 1_000 + "k";
        }
        return Long.toString(n);
    }

    static long parseCount(String s) {
        String t = s.trim().toLowerCase();
        long mult = 1;
        if (t.endsWith("m")) {
            mult = 1_000_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("k")) {
            mult = 1_000;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }

    /**
     * A profile's cases: {@code quick} (under 10 minutes on 2 cores) or {@code full}; or a
     * ';'-separated list of {@code d,K,parallelism,rounds,checkpointMs,hashmap|rocksdb[,warmupRounds[,signed]]}, e.g.
     * {@code 1M,32,1,10,200,hashmap,1;100M,8,2,1,2000,rocksdb}. Warm-up rounds run first (the
     * job's and clients' JIT) and count in no figure. Both profiles run d = 10M, K = 32 at
     * parallelism 2 twice, unsigned then signed (client authentication required), side by side.
     */
    public static List<IngestCase> profile(String name, int chunkBytes) {
        return switch (name) {
            case "quick" -> List.of(
                    new IngestCase(1_000_000, 32, 1, 12, 200, "hashmap", chunkBytes, 1),
                    new IngestCase(10_000_000, 32, 2, 2, 1000, "hashmap", chunkBytes),
                    new IngestCase(10_000_000, 32, 2, 2, 1000, "hashmap", chunkBytes).withSignatures(),
                    new IngestCase(100_000_000, 8, 2, 1, 5000, "hashmap", chunkBytes));
            case "full" -> List.of(
                    new IngestCase(1_000_000, 32, 1, 30, 200, "hashmap", chunkBytes, 1),
                    new IngestCase(1_000_000, 32, 2, 30, 200, "hashmap", chunkBytes, 1),
                    new IngestCase(10_000_000, 32, 1, 3, 1000, "hashmap", chunkBytes),
                    new IngestCase(10_000_000, 32, 2, 3, 1000, "hashmap", chunkBytes),
                    new IngestCase(10_000_000, 32, 2, 3, 1000, "hashmap", chunkBytes).withSignatures(),
                    new IngestCase(10_000_000, 32, 2, 3, 1000, "rocksdb", chunkBytes),
                    new IngestCase(100_000_000, 8, 2, 2, 5000, "hashmap", chunkBytes),
                    new IngestCase(100_000_000, 8, 2, 2, 2000, "rocksdb", chunkBytes),
                    new IngestCase(100_000_000, 32, 2, 1, 5000, "hashmap", chunkBytes));
            default -> parse(name, chunkBytes);
        };
    }

    static List<IngestCase> parse(String spec, int chunkBytes) {
        List<IngestCase> out = new ArrayList<>();
        for (String c : spec.split(";")) {
            String[] f = c.trim().split(",");
            if (f.length < 6 || f.length > 8 || (f.length == 8 && !f[7].trim().equals("signed"))) {
                throw new IllegalArgumentException("profile is quick, full, or cases 'd,K,parallelism,rounds,checkpointMs,hashmap|rocksdb[,warmup[,signed]]'"
                        + " separated by ';', not '" + spec + "'");
            }
            out.add(new IngestCase(parseCount(f[0]), Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()),
                    Integer.parseInt(f[3].trim()), Long.parseLong(f[4].trim()), f[5].trim(), chunkBytes,
                    f.length >= 7 ? Integer.parseInt(f[6].trim()) : 0, f.length == 8));
        }
        return out;
    }
}
