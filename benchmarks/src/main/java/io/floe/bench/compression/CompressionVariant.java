package io.floe.bench.compression;

import io.floe.core.codec.Compression;
import io.floe.schema.ClientTrainingConfig;
import java.util.List;
import java.util.Locale;

/**
 * One row of the compression experiment: how trainers encode their updates ({@link Compression}
 * spec), whether they carry what compression left out into the next update (error feedback, Stich
 * et al. 2018), and the server's aggregation rule.
 *
 * @param compression a {@link Compression} spec, e.g. {@code topk:ratio=0.01}
 * @param errorFeedback whether trainers keep an error-feedback memory (meaningless for {@code none})
 * @param rule the aggregation rule, e.g. {@code fedavg} or {@code median}
 */
public record CompressionVariant(String compression, boolean errorFeedback, String rule) {
    public CompressionVariant {
        compression = Compression.parse(compression).toSpec();
        if (rule == null || rule.isBlank()) {
            throw new IllegalArgumentException("a variant needs an aggregation rule, e.g. fedavg");
        }
        errorFeedback = errorFeedback && !Compression.parse(compression).isNone();
    }

    /**
     * The experiment's rows: dense; fp16 and int8; top-k at 10%, 1% and 0.1% of the update; each
     * compression with and without error feedback; top-1% per tensor (the layer-wise selection that
     * floe used before whole-update top-k); and coordinate-wise median over dense and over int8
     * updates (a robust rule reads the decoded values like any other).
     */
    public static List<CompressionVariant> plan() {
        return List.of(
                new CompressionVariant("none", false, "fedavg"),
                new CompressionVariant("fp16", true, "fedavg"),
                new CompressionVariant("fp16", false, "fedavg"),
                new CompressionVariant("int8", true, "fedavg"),
                new CompressionVariant("int8", false, "fedavg"),
                new CompressionVariant("topk:ratio=0.1", true, "fedavg"),
                new CompressionVariant("topk:ratio=0.1", false, "fedavg"),
                new CompressionVariant("topk:ratio=0.01", true, "fedavg"),
                new CompressionVariant("topk:ratio=0.01", false, "fedavg"),
                new CompressionVariant("topk:ratio=0.001", true, "fedavg"),
                new CompressionVariant("topk:ratio=0.001", false, "fedavg"),
                new CompressionVariant("topk:ratio=0.01,scope=tensor", true, "fedavg"),
                new CompressionVariant("none", false, "median"),
                new CompressionVariant("int8", true, "median"));
    }

    /**
     * A variant from {@code RULE/COMPRESSION[/no-ef]}, e.g. {@code fedavg/topk:ratio=0.01/no-ef} or
     * {@code median/int8}; error feedback is on unless {@code no-ef} follows.
     *
     * @throws IllegalArgumentException naming the form
     */
    public static CompressionVariant parse(String spec) {
        String[] parts = spec.trim().split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts.length == 3 && !parts[2].equals("no-ef")) {
            throw new IllegalArgumentException("variant '" + spec + "': use RULE/COMPRESSION or RULE/COMPRESSION/no-ef,"
                    + " e.g. fedavg/topk:ratio=0.01/no-ef");
        }
        return new CompressionVariant(parts[1], parts.length == 2, parts[0]);
    }

    public boolean dense() {
        return Compression.parse(compression).isNone();
    }

    /** E.g. {@code fedavg, topk:ratio=0.01 + EF}, {@code median, int8 + EF} or {@code fedavg, none}. */
    public String label() {
        return String.format(Locale.ROOT, "%s, %s%s", rule, compression, dense() ? "" : errorFeedback ? " + EF" : " no EF");
    }

    /** {@code base} with this variant's compression and error feedback. */
    public ClientTrainingConfig training(ClientTrainingConfig base) {
        return ClientTrainingConfig.newBuilder(base).setCompression(compression).setErrorFeedback(errorFeedback).build();
    }
}
