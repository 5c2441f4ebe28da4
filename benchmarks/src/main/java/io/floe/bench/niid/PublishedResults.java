package io.floe.bench.niid;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Published Fashion-MNIST accuracies to compare with, from Flower's reproduction of NIID-Bench
 * (Li, Diao, Chen, He, "Federated Learning on Non-IID Data Silos: An Experimental Study", ICDE 2022):
 * the "Expected Results" table of {@code baselines/niid_bench/README.md} in github.com/adap/flower
 * (simple CNN with 6 and 16 channels, 10 clients, 50 rounds x 10 local epochs, batch 64, lr 0.01,
 * momentum 0.9, FedProx mu 0.01, seed 42). The 88.4% for FedAvg on Dirichlet(0.5) is this
 * table's value. Values are accuracy in percent; partitions as floe names them.
 */
final class PublishedResults {
    static final String SOURCE = "Flower's NIID-Bench reproduction (github.com/adap/flower, baselines/niid_bench/README.md,"
            + " \"Expected Results\", FMNIST; Li et al., ICDE 2022, Table 3 setting: simple CNN, 10 clients, 50 rounds x 10 epochs,"
            + " batch 64, lr 0.01, momentum 0.9)";

    /** partition -> {fedavg, scaffold, fedprox, fednova}, percent. */
    private static final Map<String, double[]> FMNIST = Map.of(
            "iid", new double[] {89.0, 89.5, 89.5, 89.3},
            "dirichlet:0.5", new double[] {88.4, 88.4, 88.6, 88.1},
            "labels:1", new double[] {10.0, 10.0, 38.0, 11.1},
            "labels:2", new double[] {81.0, 10.0, 78.8, 70.5},
            "labels:3", new double[] {83.2, 84.2, 82.5, 83.2});

    private PublishedResults() {
    }

    /** The published accuracy (a fraction) of {@code algorithm} (e.g. {@code fedprox:mu=0.01}) on {@code partition}, if listed. */
    static OptionalDouble fmnist(String partition, String algorithm) {
        double[] row = FMNIST.get(partition.trim().toLowerCase(Locale.ROOT));
        if (row == null) {
            return OptionalDouble.empty();
        }
        String kind = algorithm.trim().toLowerCase(Locale.ROOT);
        kind = kind.contains(":") ? kind.substring(0, kind.indexOf(':')) : kind;
        int column = switch (kind) {
            case "fedavg" -> 0;
            case "scaffold" -> 1;
            case "fedprox" -> 2;
            case "fednova" -> 3;
            default -> -1;
        };
        return column < 0 ? OptionalDouble.empty() : OptionalDouble.of(row[column] / 100.0);
    }

    static String format(String partition, String algorithm) {
        OptionalDouble v = fmnist(partition, algorithm);
        return v.isPresent() ? String.format(Locale.ROOT, "%.3f", v.getAsDouble()) : "n/a";
    }
}
