/** The {@code name[:key=value,...]} syntax of the AggregationConfig fields that pick an algorithm. */
package io.floe.core.spec;
