package io.floe.bench.niid;

import java.util.Locale;

/**
 * The size of a {@code bench niid} run.
 *
 * <ul>
 *   <li>{@code quick}: what a 2-core laptop runs in under 20 minutes for all 16 cells: the first
 *       6,000 training images (600 per client), 2,000 test images, {@code mlp(784,100,10)} (79,510 parameters: a SCAFFOLD GlobalModel carries weights and control, twice that, and must stay under Kafka's 1 MB default record size),
 *       10 rounds of 2 local epochs, batch 32, lr 0.01, momentum 0.9. It shows the ordering of
 *       partitions and algorithms, not NIID-Bench's accuracies.</li>
 *   <li>{@code full}: NIID-Bench's FMNIST setting (Li et al. 2022, section V-A): all 60,000
 *       training and 10,000 test images, the simple CNN {@code cnn(28,28,1,10)}, 50 rounds of 10
 *       local epochs, batch 64, lr 0.01, momentum 0.9. Hours on a CPU: see docs/benchmarks.md.</li>
 * </ul>
 *
 * @param name {@code quick} or {@code full}
 * @param trainRows training images used (the first ones; 0 = all)
 * @param testRows test images scored (the first ones; 0 = all)
 * @param model the architecture descriptor
 * @param rounds global versions per run
 * @param localEpochs client epochs per round
 * @param batchSize client batch size
 * @param learningRate client learning rate
 * @param momentum client SGD momentum
 * @param targetAccuracy the accuracy whose first round the results report
 */
public record NiidProfile(String name, int trainRows, int testRows, String model, int rounds, int localEpochs, int batchSize,
        float learningRate, float momentum, double targetAccuracy) {

    public static final NiidProfile QUICK = new NiidProfile("quick", 6000, 2000, "mlp(784,100,10)", 10, 2, 32, 0.01f, 0.9f, 0.70);
    public static final NiidProfile FULL = new NiidProfile("full", 0, 0, "cnn(28,28,1,10)", 50, 10, 64, 0.01f, 0.9f, 0.80);

    public static NiidProfile named(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "quick" -> QUICK;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown profile '" + name + "'; expected quick or full");
        };
    }

    public NiidProfile withRounds(int r) {
        return new NiidProfile(name, trainRows, testRows, model, r, localEpochs, batchSize, learningRate, momentum, targetAccuracy);
    }

    public NiidProfile withRows(int train, int test) {
        return new NiidProfile(name, train, test, model, rounds, localEpochs, batchSize, learningRate, momentum, targetAccuracy);
    }

    public NiidProfile withModel(String m) {
        return new NiidProfile(name, trainRows, testRows, m, rounds, localEpochs, batchSize, learningRate, momentum, targetAccuracy);
    }

    public NiidProfile withLocalEpochs(int e) {
        return new NiidProfile(name, trainRows, testRows, model, rounds, e, batchSize, learningRate, momentum, targetAccuracy);
    }

    public NiidProfile withTarget(double t) {
        return new NiidProfile(name, trainRows, testRows, model, rounds, localEpochs, batchSize, learningRate, momentum, t);
    }

    /** One line for logs and reports. */
    public String describe() {
        return String.format(Locale.ROOT, "profile %s: %s training images, %s test images, %s, %d rounds x %d local epochs,"
                        + " batch %d, lr %s, momentum %s", name, trainRows <= 0 ? "all 60000" : Integer.toString(trainRows),
                testRows <= 0 ? "all 10000" : Integer.toString(testRows), model, rounds, localEpochs, batchSize, learningRate, momentum);
    }
}
