/**
 * {@code floe bench compression}: dense, fp16, int8 and top-k updates, with and without error
 * feedback, on the hospitals and Fashion-MNIST scenarios through the real broker and job; accuracy
 * against the uplink bytes it took (docs/compression.md).
 */
package io.floe.bench.compression;
