package io.floe.trainer.cli;

import io.floe.core.drift.DriftAlgorithm;
import io.floe.core.drift.ServerOptimizer;
import io.floe.schema.AggregationConfig;
import picocli.CommandLine.Option;

/**
 * The server-side aggregation options of a model, as {@code floe register} and {@code floe demo}
 * take them; they become the ModelSpec's AggregationConfig (the job validates them).
 */
public class AggregationOptions {
    @Option(names = "--rule", defaultValue = "fedavg",
            description = "Aggregation rule: fedavg, median, trimmed-mean, krum, multi-krum, bulyan (default: ${DEFAULT-VALUE}).")
    public String rule = "fedavg";

    @Option(names = "--trim-fraction", defaultValue = "0.1", description = "trimmed-mean: beta trimmed at each end (default: ${DEFAULT-VALUE}).")
    public double trimFraction = 0.1;

    @Option(names = "--assumed-byzantine", description = "krum/multi-krum/bulyan and Krum scores: f, clients assumed Byzantine (default: 1, or --byzantine in the demo).")
    public Integer assumedByzantine;

    @Option(names = "--multi-krum-m", defaultValue = "0", description = "multi-krum: updates averaged; 0 = K - f (default: ${DEFAULT-VALUE}).")
    public int multiKrumSelection;

    @Option(names = "--clipping", defaultValue = "none", description = "Norm clipping before the rule: none, fixed, median (default: ${DEFAULT-VALUE}).")
    public String clipping = "none";

    @Option(names = "--clip-norm", defaultValue = "0", description = "Bound C for --clipping fixed.")
    public double clipNorm;

    /** The cap {@code --example-cap auto} puts on a whole-record model: ten times the round's median. */
    public static final double SAFE_EXAMPLE_CAP_MULTIPLE = 10;

    @Option(names = "--example-cap", defaultValue = "auto",
            description = "Cap on self-reported numExamples: none, fixed, median-multiple, or auto: median-multiple with value "
                    + "10 (a safe default: a client claiming Long.MAX_VALUE examples weighs at most 10x the round's median), none "
                    + "for a chunked model, whose path has no caps yet, and under central DP, which weighs clients alike "
                    + "(default: ${DEFAULT-VALUE}).")
    public String exampleCap = "auto";

    @Option(names = "--example-cap-value", defaultValue = "0",
            description = "The cap (fixed) or the multiple of the round's median (median-multiple; 0 with auto: 10).")
    public double exampleCapValue;

    @Option(names = "--anomaly-policy", defaultValue = "flag",
            description = "What suspicious updates get: flag, downweight, reject (default: ${DEFAULT-VALUE}).")
    public String anomalyPolicy = "flag";

    @Option(names = "--norm-z", defaultValue = "3.5", description = "Suspicious when |robust z of the update norm| > this (default: ${DEFAULT-VALUE}).")
    public double normZThreshold = 3.5;

    @Option(names = "--cosine-threshold", defaultValue = "0.0",
            description = "Suspicious when the cosine to the coordinate-wise median < this (default: ${DEFAULT-VALUE});"
                    + " -1 judges no cosine, and a FedAvg round then skips the median.")
    public double cosineThreshold;

    @Option(names = "--quarantine-window", defaultValue = "5",
            description = "Quarantine a client rejected in --quarantine-rejections of its last N rounds; 0 disables (default: ${DEFAULT-VALUE}).")
    public int quarantineWindow = 5;

    @Option(names = "--quarantine-rejections", defaultValue = "3", description = "(default: ${DEFAULT-VALUE})")
    public int quarantineRejections = 3;

    @Option(names = "--round-deadline-ms", defaultValue = "0",
            description = "A round also closes this long after it opened, if --min-fit-clients updates arrived; else it is extended and reported; 0 = no deadline (default: ${DEFAULT-VALUE}).")
    public long roundDeadlineMs;

    @Option(names = "--min-fit-clients", defaultValue = "1", description = "Updates a round needs to close at its deadline (default: ${DEFAULT-VALUE}).")
    public int minFitClients = 1;

    @Option(names = "--dp-noise-multiplier", defaultValue = "0",
            description = "Central DP (DP-FedAvg): noise multiplier z on the sum of clipped deltas; 0 = off (default: ${DEFAULT-VALUE}).")
    public double dpNoiseMultiplier;

    @Option(names = "--dp-clip-norm", defaultValue = "1.0", description = "Central DP: clip bound C of each delta (default: ${DEFAULT-VALUE}).")
    public double dpClipNorm = 1.0;

    @Option(names = "--dp-adaptive-clipping", description = "Central DP: adapt C to the median update norm (Andrew et al. 2021).")
    public boolean dpAdaptiveClipping;

    @Option(names = "--dp-clip-count-stddev", defaultValue = "0",
            description = "Adaptive clipping: std of the noise on the unclipped count; 0 = clients/20 (default: ${DEFAULT-VALUE}).")
    public double dpClipCountStddev;

    @Option(names = "--dp-delta", defaultValue = "1e-5", description = "Central DP: delta of the reported (epsilon, delta) (default: ${DEFAULT-VALUE}).")
    public double dpDelta = 1e-5;

    @Option(names = "--dp-target-epsilon", defaultValue = "0",
            description = "Central DP: privacy budget; no version is published beyond it; 0 = none (default: ${DEFAULT-VALUE}).")
    public double dpTargetEpsilon;

    @Option(names = "--mode", defaultValue = "sync",
            description = "sync (rounds), fedasync (every update mixed in, Xie et al. 2019) or fedbuff (every --buffer-size updates, Nguyen et al. 2022) (default: ${DEFAULT-VALUE}).")
    public String mode = "sync";

    @Option(names = "--staleness",
            description = "Async: staleness weight s(tau): constant, polynomial:a=A or hinge:a=A,b=B (default: constant with fedbuff, "
                    + "polynomial:a=0.5 with fedasync).")
    public String staleness;

    @Option(names = "--max-staleness", defaultValue = "0", description = "Async: reject updates more than this many versions stale; 0 = no bound (default: ${DEFAULT-VALUE}).")
    public int maxStaleness;

    @Option(names = "--async-mixing", defaultValue = "0.6", description = "fedasync: alpha, the weight of a fresh update (default: ${DEFAULT-VALUE}).")
    public double asyncMixing = 0.6;

    @Option(names = "--buffer-size", description = "fedbuff: K, updates per server step (default: half the clients per round).")
    public Integer bufferSize;

    @Option(names = "--participation-weighting",
            description = "fedbuff: none, or interval[:cap=C] (each update weighted by its client's mean participation interval over "
                    + "the harmonic mean of the active clients', FedAU-style; cap default 100) (default: interval with fedbuff and "
                    + "algorithm fedavg/fedprox, else none).")
    public String participationWeighting;

    @Option(names = "--server-lr", description = "Server learning rate eta_g on the aggregated delta (default: 0.5 with fedbuff and "
            + "server optimizer fedavg, else 1.0).")
    public Double serverLearningRate;

    // --- algorithms against client drift and server optimizers (issue 6) ---

    @Option(names = "--algorithm", defaultValue = "fedavg",
            description = "Against client drift: fedavg, fedprox:mu=M (Li et al. 2020), scaffold (Karimireddy et al. 2020)"
                    + " or fednova[:rho=R] (Wang et al. 2020; rho defaults to --momentum) (default: ${DEFAULT-VALUE}).")
    public String algorithm = "fedavg";

    @Option(names = "--server-optimizer", defaultValue = "fedavg",
            description = "Server step on the aggregated delta (Reddi et al. 2021): fedavg, fedavgm, fedadam, fedyogi or"
                    + " fedadagrad, each with optional :key=value,... e.g. fedadam:eta=0.01,tau=1e-3 (default: ${DEFAULT-VALUE}).")
    public String serverOptimizer = "fedavg";

    @Option(names = "--total-clients", defaultValue = "0",
            description = "scaffold: N, the clients holding a control variate; 0 = --clients-per-round (default: ${DEFAULT-VALUE}).")
    public int totalClients;

    /**
     * {@link #algorithm} and {@link #serverOptimizer} checked here, so that a typo fails at the
     * command line with the parser's message instead of in the job; the algorithm is written back
     * in its canonical form.
     */
    String checkedAlgorithm() {
        return DriftAlgorithm.parse(algorithm).toSpec();
    }

    int checkedTotalClients() {
        if (totalClients < 0) {
            throw new IllegalArgumentException("--total-clients must be >= 0 (0 = --clients-per-round), got " + totalClients);
        }
        return totalClients;
    }

    String checkedServerOptimizer() {
        ServerOptimizer.parse(serverOptimizer);
        return serverOptimizer.trim();
    }

    /** {@link #participationWeighting} checked here (a typo fails at the command line), in canonical form. */
    /**
     * The async options with the defaults of the mode where they were not given. FedBuff's defaults
     * are the configuration measured best with stragglers (docs/async.md, {@code ./floe bench async}):
     * K = half the round, constant staleness, participation weighting and eta_g = 0.5 reached AUC
     * 0.98 6.0x sooner than sync at the same final AUC, where FedBuff as published (K = round,
     * polynomial staleness, eta_g = 1) was 1.05x with K = 10 and ended 0.025 lower with K = 5.
     * Participation weighting is left off where the job refuses it (SCAFFOLD, FedNova need other
     * modes or weights) and eta_g stays 1 where a server optimizer brings its own.
     */
    record AsyncDefaults(String staleness, int bufferSize, String participationWeighting, double serverLearningRate) {
    }

    private AsyncDefaults resolvedAsync(int clientsPerRound) {
        boolean fedbuff = io.floe.core.async.AsyncMode.parse(mode) == io.floe.core.async.AsyncMode.FEDBUFF;
        String kind = algorithm == null ? "fedavg" : algorithm.trim().toLowerCase(java.util.Locale.ROOT);
        boolean plainAveraging = kind.startsWith("fedavg") || kind.startsWith("fedprox");
        // only the plain fedavg step without its own eta takes the default eta_g (fedavgm, fedadam... and fedavg:eta=E bring one)
        boolean fedAvgStep = serverOptimizer == null || ServerOptimizer.parse(serverOptimizer) instanceof ServerOptimizer.FedAvg f && f.eta() == 1;
        return new AsyncDefaults(
                staleness != null ? staleness : fedbuff ? "constant" : "polynomial:a=0.5",
                bufferSize != null ? bufferSize : fedbuff ? Math.max(1, clientsPerRound / 2) : 10,
                participationWeighting != null ? participationWeighting : fedbuff && plainAveraging ? "interval" : "none",
                serverLearningRate != null ? serverLearningRate : fedbuff && fedAvgStep ? 0.5 : 1.0);
    }

    // --- end of issue 6 options ---

    // Client selection (Flower's fraction_fit / min_available_clients; min_fit_clients is --min-fit-clients)
    @Option(names = "--fraction-fit", defaultValue = "1.0",
            description = "Sync rounds: q, each available client (heartbeats on floe.clients) is asked to train on a version with "
                    + "probability q, topped up to --min-fit-clients; 1 = every client (default: ${DEFAULT-VALUE}).")
    public double fractionFit = 1.0;

    @Option(names = "--min-available-clients", defaultValue = "0",
            description = "Select only when at least this many clients are available, else ask every client; 0 = no minimum (default: ${DEFAULT-VALUE}).")
    public int minAvailableClients;

    @Option(names = "--client-timeout-ms", defaultValue = "30000",
            description = "A client is available while its last heartbeat is at most this old (default: ${DEFAULT-VALUE}).")
    public long clientTimeoutMs = 30_000L;

    // Chunked models (issue 12)
    @Option(names = "--chunk-bytes", paramLabel = "BYTES",
            description = {"Chunked model: updates and versions travel as chunks of BYTES bytes of float32 values (a multiple of 4,"
                    + " " + io.floe.core.chunk.ChunkLayout.MIN_CHUNK_BYTES + " to " + io.floe.core.chunk.ChunkLayout.MAX_CHUNK_BYTES
                    + "; " + io.floe.core.chunk.ChunkLayout.DEFAULT_CHUNK_BYTES + " = 1 MiB less 4 KiB fits Kafka's default record"
                    + " limit), and the job sums each chunk where it lands, across its subtasks, in O(d) state.",
                    "  So far sync rounds of fedavg or fedprox only: no robust rule, clipping, example cap, anomaly policy other"
                    + " than flag, central DP, async mode, scaffold, fednova, adaptive server optimizer or --compression.",
                    "  Default: unset, each update and version is one whole record."})
    public Integer chunkBytes;

    /**
     * {@link #chunkBytes} checked here so that a bad size fails at the command line; the rest (the
     * model's parameter count, the features the chunked path does not have yet) is the spec
     * validator's, which {@code register} and {@code demo} run before publishing a chunked spec.
     */
    Integer checkedChunkBytes() {
        if (chunkBytes == null) {
            return null;
        }
        int c = chunkBytes;
        if (c < io.floe.core.chunk.ChunkLayout.MIN_CHUNK_BYTES || c > io.floe.core.chunk.ChunkLayout.MAX_CHUNK_BYTES || c % 4 != 0) {
            throw new IllegalArgumentException("--chunk-bytes must be a multiple of 4 from " + io.floe.core.chunk.ChunkLayout.MIN_CHUNK_BYTES
                    + " to " + io.floe.core.chunk.ChunkLayout.MAX_CHUNK_BYTES + " (" + io.floe.core.chunk.ChunkLayout.DEFAULT_CHUNK_BYTES
                    + " fits Kafka's default record limit), not " + c);
        }
        return c;
    }

    /**
     * {@code --example-cap}, with {@code auto} resolved: median-multiple, or none for a chunked model
     * (its path has no caps) and under central DP (DP-FedAvg weighs every client alike, and a cap,
     * decided from the other clients' counts, is refused with it).
     */
    String resolvedExampleCap() {
        if (!"auto".equals(exampleCap)) {
            return exampleCap;
        }
        return autoMeansNone() ? "none" : "median-multiple";
    }

    double resolvedExampleCapValue() {
        return "auto".equals(exampleCap) && exampleCapValue == 0 && !autoMeansNone() ? SAFE_EXAMPLE_CAP_MULTIPLE : exampleCapValue;
    }

    private boolean autoMeansNone() {
        return chunkBytes != null || dpNoiseMultiplier > 0;
    }

    /** The config for a model whose rounds close at {@code clientsPerRound} updates. */
    public AggregationConfig toConfig(int clientsPerRound, int defaultAssumedByzantine) {
        AsyncDefaults async = resolvedAsync(clientsPerRound);
        return AggregationConfig.newBuilder()
                .setRule(rule)
                .setClientsPerRound(clientsPerRound)
                .setTrimFraction(trimFraction)
                .setByzantineClients(assumedByzantine != null ? assumedByzantine : defaultAssumedByzantine)
                .setMultiKrumSelection(multiKrumSelection)
                .setClipping(clipping)
                .setClipNorm(clipNorm)
                .setExampleCap(resolvedExampleCap())
                .setExampleCapValue(resolvedExampleCapValue())
                .setAnomalyPolicy(anomalyPolicy)
                .setNormZThreshold(normZThreshold)
                .setCosineThreshold(cosineThreshold)
                .setQuarantineWindow(quarantineWindow)
                .setQuarantineRejections(quarantineRejections)
                .setRoundDeadlineMs(roundDeadlineMs)
                .setMinFitClients(minFitClients)
                .setDpNoiseMultiplier(dpNoiseMultiplier)
                .setDpClipNorm(dpClipNorm)
                .setDpAdaptiveClipping(dpAdaptiveClipping)
                .setDpClipCountStddev(dpClipCountStddev)
                .setDpDelta(dpDelta)
                .setDpTargetEpsilon(dpTargetEpsilon)
                .setMode(io.floe.core.async.AsyncMode.parse(mode).configName())
                .setStaleness(async.staleness())
                .setMaxStaleness(maxStaleness)
                .setAsyncMixing(asyncMixing)
                .setBufferSize(async.bufferSize())
                .setParticipationWeighting(io.floe.core.async.ParticipationWeighting.parse(async.participationWeighting()).toSpec())
                .setServerLearningRate(async.serverLearningRate())
                .setAlgorithm(checkedAlgorithm())
                .setServerOptimizer(checkedServerOptimizer())
                .setTotalClients(checkedTotalClients())
                .setFractionFit(fractionFit)
                .setMinAvailableClients(minAvailableClients)
                .setClientTimeoutMs(clientTimeoutMs)
                .setChunkBytes(checkedChunkBytes())
                .build();
    }
}
