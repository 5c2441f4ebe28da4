package io.floe.bench.ingest;

import io.floe.core.aggregate.AggregationRules;
import io.floe.core.aggregate.FederatedAveraging;
import io.floe.core.aggregate.KrumSelection;
import io.floe.core.aggregate.RuleParameters;
import io.floe.core.chunk.CoordinateWiseChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One case of {@code bench ingest}: {@code clients} synthetic clients send chunked updates of
 * {@code parameters} float32 values for {@code rounds} rounds, through the job at
 * {@code parallelism} with {@code stateBackend} and a checkpoint every {@code checkpointMs}, and
 * the job aggregates them with {@code rule}: {@code fedavg} (folded), or {@code median} or
 * {@code trimmed-mean} (run per chunk on the round's slices, {@link CoordinateWiseChunk}), or
 * {@code krum}, {@code multi-krum} or {@code bulyan} (each chunk's share of the pairwise distances,
 * then the coordinator's selection, then the CLOSE; {@link KrumSelection}) with f =
 * {@link #byzantineClients()} Byzantine clients, derived from K.
 */
public record IngestCase(long parameters, int clients, int parallelism, int rounds, long checkpointMs, String stateBackend,
        int chunkBytes, int warmupRounds, boolean signed, String rule) {
    public static final String DEFAULT_RULE = FederatedAveraging.NAME;
    /** Trimmed mean's beta per side in every case that runs it (the schema's default). */
    public static final double TRIM_FRACTION = 0.1;
    static final String SYNTAX = "d,K,parallelism,rounds,checkpointMs,hashmap|rocksdb[,warmup][,signed]"
            + "[,rule=fedavg|median|trimmed-mean|krum|multi-krum|bulyan]";

    public IngestCase {
        if (parameters < 1 || clients < 1 || parallelism < 1 || rounds < 1 || checkpointMs < 10 || warmupRounds < 0) {
            throw new IllegalArgumentException("bad case " + parameters + "/" + clients + "/" + parallelism + "/" + rounds + "/" + checkpointMs);
        }
        if (!stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("state backend must be hashmap or rocksdb, not " + stateBackend);
        }
        rule = checkedRule(rule);
        if (KrumSelection.handles(rule)) {
            String problem = KrumSelection.problem(AggregationRules.create(rule, new RuleParameters(TRIM_FRACTION, byzantineFor(clients), 0)),
                    clients);
            if (problem != null) {
                throw new IllegalArgumentException("a " + rule + " case needs K >= 3 (f = max(0, floor((K - 3) / 4))): " + problem);
            }
        }
    }

    public IngestCase(long parameters, int clients, int parallelism, int rounds, long checkpointMs, String stateBackend, int chunkBytes) {
        this(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, 0);
    }

    public IngestCase(long parameters, int clients, int parallelism, int rounds, long checkpointMs, String stateBackend, int chunkBytes,
            int warmupRounds) {
        this(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, warmupRounds, false);
    }

    public IngestCase(long parameters, int clients, int parallelism, int rounds, long checkpointMs, String stateBackend, int chunkBytes,
            int warmupRounds, boolean signed) {
        this(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, warmupRounds, signed, DEFAULT_RULE);
    }

    /** The same case with client authentication required: enrolled clients sign every update header, the job verifies. */
    public IngestCase withSignatures() {
        return new IngestCase(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, warmupRounds, true, rule);
    }

    /** The same case aggregated with {@code rule}. */
    public IngestCase withRule(String rule) {
        return new IngestCase(parameters, clients, parallelism, rounds, checkpointMs, stateBackend, chunkBytes, warmupRounds, signed, rule);
    }

    /**
     * e.g. {@code d=10M K=32 p=2}, {@code d=10M K=32 p=2 signed}, {@code d=10M K=32 p=2 median} (the
     * rule when not fedavg), or {@code d=10M K=32 p=2 krum f=7} (a Krum-family rule with its f).
     */
    public String name() {
        return "d=" + human(parameters) + " K=" + clients + " p=" + parallelism + (rule.equals(DEFAULT_RULE) ? "" : " " + rule)
                + (selectsByKrumScores() ? " f=" + byzantineClients() : "") + (signed ? " signed" : "");
    }

    /** Whether the case's rule is Krum, Multi-Krum or Bulyan (it has an f). */
    public boolean selectsByKrumScores() {
        return KrumSelection.handles(rule);
    }

    /**
     * The spec's aggregation.byzantineClients for a Krum-family case: {@link #byzantineFor} K; 1 (the
     * schema's default, which the other rules do not read) otherwise.
     */
    public int byzantineClients() {
        return selectsByKrumScores() ? byzantineFor(clients) : RuleParameters.DEFAULTS.byzantineClients();
    }

    /**
     * f for K clients: the largest f for which Bulyan runs (K >= 4f + 3), max(0, floor((K - 3) / 4)),
     * e.g. 7 for K = 32, 1 for K = 8; Krum and Multi-Krum (K > 2f + 2) then run too, for every K >= 3.
     * One f for all three rules, so that their rows compare at the same assumed attack.
     */
    static int byzantineFor(int clients) {
        return Math.max(0, Math.floorDiv(clients - 3, 4));
    }

    /** Bytes of one update's values. */
    public long updateValueBytes() {
        return 4 * parameters;
    }

    /** {@code rule} in lower case when the chunked path runs it; else an exception that says which rules it runs. */
    static String checkedRule(String rule) {
        String r = rule == null ? "" : rule.trim().toLowerCase(Locale.ROOT);
        if (r.equals(DEFAULT_RULE) || CoordinateWiseChunk.handles(r) || KrumSelection.handles(r)) {
            return r;
        }
        throw new IllegalArgumentException((AggregationRules.isKnown(r) ? "rule " + r + " is not on the chunked path yet"
                : "unknown rule '" + rule + "'") + "; a bench ingest case runs fedavg, median, trimmed-mean, krum, multi-krum or bulyan");
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
        String t = s.trim().toLowerCase(Locale.ROOT);
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
     * A profile's cases: {@code quick} (under 10 minutes on 2 cores), {@code full}, or {@code rules}
     * (median at d = 10M, K = 32, parallelism 1 and 2, trimmed mean at parallelism 1, median at
     * d = 100M, K = 8, parallelism 2 and 1, Krum (f = 7) at d = 10M, K = 32, parallelism 1 and 2; the
     * quick profile's rounds and checkpoint intervals at those sizes, on RocksDB state: a round's
     * kept slices, K x 4d bytes, do not fit a 2 GB heap);
     * or a ';'-separated list of {@value #SYNTAX}, e.g. {@code 1M,32,1,10,200,hashmap,1;100M,8,2,1,2000,rocksdb,rule=median}.
     * Warm-up rounds run first (the job's and clients' JIT) and count in no figure. Both quick and
     * full run d = 10M, K = 32 at parallelism 2 twice, unsigned then signed (client authentication
     * required), side by side.
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
            case "rules" -> List.of(
                    new IngestCase(10_000_000, 32, 1, 2, 1000, "rocksdb", chunkBytes).withRule("median"),
                    new IngestCase(10_000_000, 32, 2, 2, 1000, "rocksdb", chunkBytes).withRule("median"),
                    new IngestCase(10_000_000, 32, 1, 2, 1000, "rocksdb", chunkBytes).withRule("trimmed-mean"),
                    new IngestCase(100_000_000, 8, 2, 1, 5000, "rocksdb", chunkBytes).withRule("median"),
                    new IngestCase(100_000_000, 8, 1, 1, 5000, "rocksdb", chunkBytes).withRule("median"),
                    new IngestCase(10_000_000, 32, 1, 2, 1000, "rocksdb", chunkBytes).withRule("krum"),
                    new IngestCase(10_000_000, 32, 2, 2, 1000, "rocksdb", chunkBytes).withRule("krum"));
            default -> parse(name, chunkBytes);
        };
    }

    /** Cases in the {@value #SYNTAX} syntax, ';'-separated; warmup (a number) comes first among the optional fields. */
    static List<IngestCase> parse(String spec, int chunkBytes) {
        List<IngestCase> out = new ArrayList<>();
        for (String c : spec.split(";")) {
            String[] f = c.trim().split(",");
            if (f.length < 6) {
                throw syntax(spec, "a case has at least 6 fields");
            }
            int warmup = 0;
            boolean signed = false;
            String rule = null;
            for (int i = 6; i < f.length; i++) {
                String field = f[i].trim();
                if (i == 6 && !field.isEmpty() && field.chars().allMatch(Character::isDigit)) {
                    warmup = Integer.parseInt(field);
                } else if (field.equals("signed") && !signed) {
                    signed = true;
                } else if (field.startsWith("rule=") && rule == null) {
                    rule = field.substring("rule=".length());
                } else {
                    throw syntax(spec, "'" + field + "' is not a warm-up count (first), 'signed' or 'rule=NAME', each at most once");
                }
            }
            out.add(new IngestCase(parseCount(f[0]), Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()),
                    Integer.parseInt(f[3].trim()), Long.parseLong(f[4].trim()), f[5].trim(), chunkBytes, warmup, signed,
                    rule == null ? DEFAULT_RULE : rule));
        }
        return out;
    }

    private static IllegalArgumentException syntax(String spec, String why) {
        return new IllegalArgumentException("profile is quick, full, rules, or cases '" + SYNTAX + "' separated by ';', not '" + spec
                + "': " + why);
    }
}
