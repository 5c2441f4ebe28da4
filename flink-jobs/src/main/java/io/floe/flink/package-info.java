/** The floe aggregation job: its entry point, options and pipeline wiring. */
package io.floe.flink;
