/** JMH benchmarks of floe's aggregation kernels, each beside a memory-bound baseline in the same run. */
package io.floe.bench;
