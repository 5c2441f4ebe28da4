package io.floe.bench.async;

import io.floe.core.async.ParticipationWeighting;
import io.floe.schema.AggregationConfig;
import java.util.Locale;

/**
 * One server configuration of the async experiment, by name:
 * {@code sync} (rounds of all clients, no deadline), {@code sync+deadline[:deadline=MS]} (rounds
 * close at their deadline with at least half the clients), {@code fedasync[:alpha=A;s=S]} and
 * {@code fedbuff[:k=K;eta=E;s=S;pw=P]} (s a staleness function, e.g. {@code constant}; P FedBuff's
 * participation weighting, {@code interval} or {@code interval:cap=C}); any of them may add
 * {@code alg=fedprox:mu=M} (clients' algorithm against drift).
 */
record AsyncVariant(String name, AggregationConfig config) {

    /**
     * @param clients the federation's size
     * @param deadlineMs the participation timeout of {@code sync+deadline}
     * @param bufferSize FedBuff's K
     */
    static AsyncVariant named(String spec, int clients, long deadlineMs, int bufferSize) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        java.util.Map<String, String> opts = new java.util.TreeMap<>();
        if (s.contains(":")) {
            for (String kv : s.substring(s.indexOf(':') + 1).split(";")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException("variant option '" + kv + "' is not key=value (options are separated by ';')");
                }
                opts.put(p[0].trim(), p[1].trim());
            }
        }
        AggregationConfig.Builder c = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clients);
        switch (name) {
            case "sync" -> {
            }
            case "sync+deadline" -> c.setRoundDeadlineMs(Long.parseLong(opts.getOrDefault("deadline", Long.toString(deadlineMs))))
                    .setMinFitClients(Math.max(1, clients / 2));
            case "fedasync" -> c.setMode("fedasync").setAsyncMixing(Double.parseDouble(opts.getOrDefault("alpha", "0.6")))
                    .setStaleness(opts.getOrDefault("s", "polynomial:a=0.5"));
            case "fedbuff" -> c.setMode("fedbuff").setBufferSize(Integer.parseInt(opts.getOrDefault("k", Integer.toString(bufferSize))))
                    .setStaleness(opts.getOrDefault("s", "polynomial:a=0.5"))
                    .setServerLearningRate(Double.parseDouble(opts.getOrDefault("eta", "1.0")))
                    .setParticipationWeighting(ParticipationWeighting.parse(opts.getOrDefault("pw", "none")).toSpec());
            default -> throw new IllegalArgumentException("unknown variant '" + spec
                    + "'; use sync, sync+deadline[:deadline=MS], fedasync[:alpha=A;s=S], fedbuff[:k=K;eta=E;s=S;pw=interval[:cap=C]]");
        }
        if (opts.containsKey("pw") && !name.equals("fedbuff")) {
            throw new IllegalArgumentException("variant option pw (participation weighting) applies to fedbuff only, not '" + spec
                    + "'; use fedbuff[:k=K;eta=E;s=S;pw=interval[:cap=C]]");
        }
        if (opts.containsKey("alg")) {
            c.setAlgorithm(opts.get("alg"));
        }
        return new AsyncVariant(s, c.build());
    }

    /** How the variant's server is set, for tables. */
    String describe() {
        AggregationConfig c = config;
        String clients = "fedavg".equals(c.getAlgorithm()) ? "" : ", clients " + c.getAlgorithm();
        return server(c) + clients;
    }

    private static String server(AggregationConfig c) {
        return switch (c.getMode()) {
            case "sync" -> c.getRoundDeadlineMs() == 0 ? "rounds of " + c.getClientsPerRound() + ", no deadline"
                    : "rounds of " + c.getClientsPerRound() + ", deadline " + c.getRoundDeadlineMs() + " ms, min " + c.getMinFitClients();
            case "fedasync" -> "alpha " + c.getAsyncMixing() + ", s = " + c.getStaleness();
            default -> "K = " + c.getBufferSize() + ", eta_g = " + c.getServerLearningRate() + ", s = " + c.getStaleness()
                    + participation(c);
        };
    }

    private static String participation(AggregationConfig c) {
        ParticipationWeighting pw = ParticipationWeighting.parse(c.getParticipationWeighting());
        if (!pw.enabled()) {
            return "";
        }
        return ", participation weighting interval" + (pw.cap() == ParticipationWeighting.DEFAULT_CAP ? "" : " (cap " + pw.cap() + ")");
    }
}
