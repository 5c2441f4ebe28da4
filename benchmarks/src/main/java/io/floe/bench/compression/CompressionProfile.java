package io.floe.bench.compression;

import java.util.Locale;

/**
 * The data and run length of {@code bench compression}. Both profiles run the hospitals demo's
 * setting (10 WDBC hospitals, mlp(30,16,1), 20 rounds) and the Fashion-MNIST demo's client
 * training (mlp(784,100,10), Dirichlet(0.5) over 10 clients, 2 local epochs of lr 0.01, momentum
 * 0.9, batch 32); they differ in the Fashion-MNIST slice and rounds.
 *
 * @param name {@code quick} or {@code full}
 * @param fmnistTrainRows training images dealt to the clients (0: all 60,000)
 * @param fmnistRounds Fashion-MNIST rounds
 * @param hospitalsRounds hospitals rounds
 */
public record CompressionProfile(String name, int fmnistTrainRows, int fmnistRounds, int hospitalsRounds) {
    /** {@code ./floe demo --scenario fmnist}'s setting: 20,000 images, 15 rounds; about 12 minutes on 2 cores in all. */
    public static final CompressionProfile QUICK = new CompressionProfile("quick", 20_000, 15, 20);
    /** All 60,000 images and 30 rounds: about five times as long as quick. */
    public static final CompressionProfile FULL = new CompressionProfile("full", 0, 30, 20);

    public CompressionProfile {
        if (fmnistTrainRows < 0 || fmnistRounds < 1 || hospitalsRounds < 1) {
            throw new IllegalArgumentException("a profile needs training rows >= 0 and rounds >= 1");
        }
    }

    /** @throws IllegalArgumentException naming the profiles */
    public static CompressionProfile named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "quick" -> QUICK;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown profile '" + name + "'; use quick or full");
        };
    }

    public String describe() {
        return String.format(Locale.ROOT, "profile %s: hospitals %d rounds; Fashion-MNIST %s training images, %d rounds", name,
                hospitalsRounds, fmnistTrainRows == 0 ? "all 60,000" : String.format(Locale.ROOT, "%,d", fmnistTrainRows), fmnistRounds);
    }
}
