package io.floe.core.chunk;

import io.floe.schema.ChunkManifest;

/**
 * How a vector of {@code parameters} float32 values is cut into chunks of {@code chunkBytes}:
 * chunk i covers values {@code [i * m, min(parameters, (i + 1) * m))} with {@code m = chunkBytes / 4}.
 * The cut depends on nothing else, so the job, trainers and any other reader agree on it from the
 * manifest alone.
 *
 * <pre>{@code
 * ChunkLayout layout = ChunkLayout.of(100_000_000L, ChunkLayout.DEFAULT_CHUNK_BYTES);   // 383 chunks of 261,120 values
 * int first = (int) layout.offset(7), n = layout.length(7);
 * }</pre>
 */
public record ChunkLayout(long parameters, int chunkBytes) {
    /** Smallest chunk: below this the per-record overhead dominates. */
    public static final int MIN_CHUNK_BYTES = 1024;
    /** Largest chunk; above {@link #DEFAULT_CHUNK_BYTES} the topics need a larger max.message.bytes. */
    public static final int MAX_CHUNK_BYTES = 8 << 20;
    /**
     * The default: 1 MiB less 4 KiB, so that a chunk record (its data, the ids and the single-object
     * header) and its batch fit Kafka's default limits (the producer's max.request.size of 1 MiB, the
     * broker's message.max.bytes of 1 MiB + 12 bytes) and no topic needs an override.
     */
    public static final int DEFAULT_CHUNK_BYTES = (1 << 20) - 4096;
    /**
     * At most this many chunks: the manifest carries 34 bytes per chunk (a SHA-256 and its length),
     * and must stay well inside Kafka's default 1 MiB record with the rest of a header (16384 chunks:
     * 557 KB). 100M parameters need chunks of at least 24 KiB.
     */
    public static final int MAX_CHUNKS = 16_384;

    public ChunkLayout {
        String problem = problem(parameters, chunkBytes);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    public static ChunkLayout of(long parameters, int chunkBytes) {
        return new ChunkLayout(parameters, chunkBytes);
    }

    public static ChunkLayout of(ChunkManifest manifest) {
        return new ChunkLayout(manifest.getParameters(), manifest.getChunkBytes());
    }

    /** Why {@code chunkBytes} cannot cut {@code parameters} values, or null when it can; the message says how to fix it. */
    public static String problem(long parameters, int chunkBytes) {
        if (chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES || chunkBytes % 4 != 0) {
            return "chunkBytes must be a multiple of 4 from " + MIN_CHUNK_BYTES + " to " + MAX_CHUNK_BYTES + " (" + DEFAULT_CHUNK_BYTES
                    + " fits Kafka's default record limit), not " + chunkBytes;
        }
        if (parameters < 1) {
            return "a chunked model needs at least one parameter, not " + parameters;
        }
        if ((parameters + chunkBytes / 4 - 1) / (chunkBytes / 4) > MAX_CHUNKS) {
            return parameters + " parameters in chunks of " + chunkBytes + " bytes make more than " + MAX_CHUNKS
                    + " chunks; use larger chunks";
        }
        return null;
    }

    /** Values per full chunk. */
    public int valuesPerChunk() {
        return chunkBytes / 4;
    }

    public int count() {
        return (int) ((parameters + valuesPerChunk() - 1) / valuesPerChunk());
    }

    /** Index of the first value of chunk {@code index} in the concatenated vector. */
    public long offset(int index) {
        checkIndex(index);
        return (long) index * valuesPerChunk();
    }

    /** Values in chunk {@code index}: {@link #valuesPerChunk} except for a shorter last chunk. */
    public int length(int index) {
        checkIndex(index);
        return (int) Math.min(valuesPerChunk(), parameters - offset(index));
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= count()) {
            throw new IndexOutOfBoundsException("chunk " + index + " of " + count());
        }
    }
}
