package io.floe.bench.async;

import io.floe.schema.AggregationConfig;
import java.util.Locale;

/**
 * One server configuration of the async experiment, by name:
 * {@code sync} (rounds of all clients, no deadline), {@code sync+deadline} (rounds close at their
 * deadline with at least half the clients), {@code fedasync} and {@code fedbuff}.
 */
record AsyncVariant(String name, AggregationConfig config) {

    /**
     * @param clients the federation's size
     * @param deadlineMs the participation timeout of {@code sync+deadline}
     * @param bufferSize FedBuff's K
     */
    static AsyncVariant named(String name, int clients, long deadlineMs, int bufferSize) {
        AggregationConfig.Builder c = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clients);
        switch (name.toLowerCase(Locale.ROOT)) {
            case "sync" -> {
            }
            case "sync+deadline" -> c.setRoundDeadlineMs(deadlineMs).setMinFitClients(Math.max(1, clients / 2));
            case "fedasync" -> c.setMode("fedasync").setAsyncMixing(0.6).setStaleness("polynomial:a=0.5");
            case "fedbuff" -> c.setMode("fedbuff").setBufferSize(bufferSize).setStaleness("polynomial:a=0.5");
            default -> throw new IllegalArgumentException("unknown variant '" + name + "'; use sync, sync+deadline, fedasync, fedbuff");
        }
        return new AsyncVariant(name.toLowerCase(Locale.ROOT), c.build());
    }

    /** How the variant's server is set, for tables. */
    String describe() {
        AggregationConfig c = config;
        return switch (name) {
            case "sync" -> "rounds of " + c.getClientsPerRound() + ", no deadline";
            case "sync+deadline" -> "rounds of " + c.getClientsPerRound() + ", deadline " + c.getRoundDeadlineMs() + " ms, min "
                    + c.getMinFitClients();
            case "fedasync" -> "alpha " + c.getAsyncMixing() + ", s = " + c.getStaleness();
            default -> "K = " + c.getBufferSize() + ", s = " + c.getStaleness();
        };
    }
}
