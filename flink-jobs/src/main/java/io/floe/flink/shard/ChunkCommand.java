package io.floe.flink.shard;

import io.floe.core.chunk.ChunkData;

/**
 * What a model's coordinator tells one chunk's folder (key {@code modelId#index}). Commands to one
 * key travel one channel, so a folder sees them in the order they were sent. A Flink POJO.
 * <ul>
 *   <li>INIT: the chunk's slice of {@code version} is {@code data} (empty: zeros of {@code length}); publish it.
 *   <li>ADMIT: fold chunk {@code index} of {@code updateId} into round {@code version} with {@code weight}
 *       (or, under a coordinate-wise {@code rule}, keep it for the close).
 *   <li>DROP: take {@code updateId} out of round {@code version} (folded, admitted or waiting).
 *   <li>RESCALE: fold {@code updateId}'s chunk again as x / {@code divisor} in place of how it was
 *       folded (central DP's clipping, once its norm is known): read back from Kafka, taken out, added.
 *   <li>SCORE: under a Krum rule, once every member ({@code members}) is kept, send the chunk's share
 *       of the round's distances and cosines to the coordinator ({@link ScoreShares}); keep the chunks
 *       for the CLOSE that follows with the selection.
 *   <li>CLOSE: once every member ({@code members}, {@code weights}) is folded, the slice of
 *       {@code nextVersion} is {@code w + scale * S / totalWeight} (fedavg), or {@code w + scale *
 *       rule(members)} for a coordinate-wise {@code rule} (median, trimmed mean with
 *       {@code trimPerSide}); Krum and Multi-Krum fold their selected members' kept chunks with
 *       {@code weights}, Bulyan averages the β = {@code trimPerSide} values closest to the median; publish it. With central DP ({@code noiseStd > 0}) the sum gets Gaussian
 *       noise of that deviation per coordinate, drawn from {@code noiseSeed}, before the division.
 * </ul>
 */
public class ChunkCommand {
    public enum Kind { INIT, ADMIT, DROP, RESCALE, SCORE, CLOSE }

    public String key;
    public String modelId;
    public int index;
    public int chunkCount;
    public Kind kind;
    public long version;
    public int length;
    public byte[] data;
    public String updateId;
    public long weight;
    public String[] members;
    public long[] weights;
    public long totalWeight;
    public double scale;
    public long nextVersion;
    /** ADMIT and CLOSE: the model's rule (fedavg folds; median and trimmed-mean keep the members' chunks). */
    public String rule;
    public int trimPerSide;
    /** ADMIT: FedNova's a_i (the update's values are folded as x / a_i); 1 for every other algorithm. */
    public double divisor = 1.0;
    /** CLOSE: the model's serverOptimizer (fedavg[:eta]: the plain step with {@code scale}; fedadam etc.: their step per chunk). */
    public String serverOptimizer;
    /** CLOSE: central DP's noise per coordinate of the sum (0: none), drawn from {@code noiseSeed} (this chunk's own seed). */
    public double noiseStd;
    public long noiseSeed;

    public ChunkCommand() {
    }

    private static ChunkCommand of(Kind kind, String modelId, int index, int chunkCount, long version) {
        ChunkCommand c = new ChunkCommand();
        c.kind = kind;
        c.modelId = modelId;
        c.index = index;
        c.chunkCount = chunkCount;
        c.key = ChunkData.key(modelId, index);
        c.version = version;
        return c;
    }

    public static ChunkCommand init(String modelId, int index, int chunkCount, long version, int length, byte[] data) {
        ChunkCommand c = of(Kind.INIT, modelId, index, chunkCount, version);
        c.length = length;
        c.data = data;
        return c;
    }

    public static ChunkCommand admit(String modelId, int index, int chunkCount, long version, String updateId, long weight) {
        return admit(modelId, index, chunkCount, version, updateId, weight, "fedavg");
    }

    public static ChunkCommand admit(String modelId, int index, int chunkCount, long version, String updateId, long weight,
            String rule) {
        ChunkCommand c = of(Kind.ADMIT, modelId, index, chunkCount, version);
        c.updateId = updateId;
        c.weight = weight;
        c.rule = rule;
        return c;
    }

    public static ChunkCommand drop(String modelId, int index, int chunkCount, long version, String updateId) {
        ChunkCommand c = of(Kind.DROP, modelId, index, chunkCount, version);
        c.updateId = updateId;
        return c;
    }

    public static ChunkCommand rescale(String modelId, int index, int chunkCount, long version, String updateId, double divisor) {
        ChunkCommand c = of(Kind.RESCALE, modelId, index, chunkCount, version);
        c.updateId = updateId;
        c.divisor = divisor;
        return c;
    }

    /** SCORE: the chunk's share of the distances and cosines of {@code members} (sorted by update id), under {@code rule}. */
    public static ChunkCommand score(String modelId, int index, int chunkCount, long version, String[] members, String rule) {
        ChunkCommand c = of(Kind.SCORE, modelId, index, chunkCount, version);
        c.members = members;
        c.rule = rule;
        return c;
    }

    public static ChunkCommand close(String modelId, int index, int chunkCount, long version, String[] members, long[] weights,
            long totalWeight, double scale, long nextVersion) {
        return close(modelId, index, chunkCount, version, members, weights, totalWeight, scale, nextVersion, "fedavg", 0);
    }

    public static ChunkCommand close(String modelId, int index, int chunkCount, long version, String[] members, long[] weights,
            long totalWeight, double scale, long nextVersion, String rule, int trimPerSide) {
        ChunkCommand c = of(Kind.CLOSE, modelId, index, chunkCount, version);
        c.rule = rule;
        c.trimPerSide = trimPerSide;
        c.members = members;
        c.weights = weights;
        c.totalWeight = totalWeight;
        c.scale = scale;
        c.nextVersion = nextVersion;
        return c;
    }
}
