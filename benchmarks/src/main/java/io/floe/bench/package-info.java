/**
 * JMH benchmarks of floe's aggregation kernels, each beside a memory-bound baseline in the same run,
 * the CLI of every benchmark and experiment, and {@link io.floe.bench.SystemMetricsTable}, the four
 * FL system metrics per run that the end-to-end experiments print and write.
 */
package io.floe.bench;
