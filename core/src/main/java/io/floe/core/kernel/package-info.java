/**
 * Numeric kernels behind the robust aggregation rules: coordinate-wise median and trimmed mean
 * over K client arrays, and the pairwise squared distances that Krum scores.
 *
 * <p>Each public class is a small final facade that checks its arguments and says what is
 * wrong, then calls the kernel. {@link io.floe.core.kernel.ReferenceKernels} holds the
 * straightforward definitions (sort each coordinate's values; one double sum per pair) that the
 * tests and the JMH benchmarks compare the fast kernels against, across odd sizes, ties, signed
 * zeros and extreme values.
 *
 * <p>The fast kernels work on blocks of coordinates small enough to stay in the cache, and
 * split the blocks over a small shared pool of threads when the input is large; the results do
 * not depend on the number of threads.
 */
package io.floe.core.kernel;
