/**
 * Chunked updates and models (issue 12): a model's tensors, concatenated in the spec's order, are
 * one vector of float32 values cut into chunks of a model's {@code chunkBytes} ({@link ChunkLayout}).
 * An update travels as a small header (a {@code ModelUpdate} with a {@code ChunkManifest}: one
 * SHA-256 per chunk) plus one {@code UpdateChunk} record per chunk ({@link ChunkedUpdates}); a
 * model as a manifest plus {@code ModelChunk} records, put back together by
 * {@link ChunkedModelAssembly}. The job folds each chunk into an order-independent exact sum
 * ({@link ExactSum}), so the result is the same bits whatever the order, parallelism, partition
 * count or chunk size.
 */
package io.floe.core.chunk;
