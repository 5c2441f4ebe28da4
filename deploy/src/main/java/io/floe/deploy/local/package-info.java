/**
 * Running floe in one JVM: a Flink MiniCluster with web UI, the embedded server side
 * (broker + topics + job), and the hospitals demo with its baselines, report and plot.
 */
package io.floe.deploy.local;
