/**
 * {@code ./floe bench ingest}: chunked models of up to 100M parameters through the real broker and
 * the real aggregation job (in a child JVM with a bounded heap), beside a plain produce+consume of
 * the same bytes on the same broker (issue 12).
 */
package io.floe.bench.ingest;
