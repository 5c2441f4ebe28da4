/**
 * The sharded path of chunked models (issue 12): one model's aggregation across every subtask.
 * Routing ({@code RecordDecoder}) sends each {@code UpdateChunk} to the {@link ChunkFolder} of its
 * key {@code modelId#index} and a {@link ChunkReceipt} (hash, size, problems) to the model's
 * coordinator, the keyed {@code ModelAggregator}, which decides membership from the headers and
 * receipts and sends {@link ChunkCommand}s (init, admit, drop, close) to every chunk. Each folder
 * keeps its slice of the model and an {@link io.floe.core.chunk.ExactSum} of the open round, and
 * on close publishes its slice of the next version as a {@code ModelChunk}; the
 * {@link ManifestWriter} publishes the version's manifest and report once every chunk has.
 */
package io.floe.flink.shard;
