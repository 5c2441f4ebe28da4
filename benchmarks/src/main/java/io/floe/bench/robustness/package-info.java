/**
 * The robustness experiment: the hospitals scenario under each attack, for each aggregation
 * rule, through the real broker and job; results as CSV/JSON and a heat map.
 */
package io.floe.bench.robustness;
