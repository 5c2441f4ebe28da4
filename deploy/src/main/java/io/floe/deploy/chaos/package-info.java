/**
 * Planned failures for {@code ./floe demo --chaos}: a {@link io.floe.deploy.chaos.Fault} (broker
 * outage, TaskManager loss) at a time into the run, a {@link io.floe.deploy.chaos.ChaosSchedule}
 * parsed from the option, and the {@link io.floe.deploy.chaos.FaultInjector} that strikes a
 * {@link io.floe.deploy.chaos.FaultTarget} on schedule and measures each recovery. Nothing here
 * depends on Flink or Kafka: the target does the striking.
 */
package io.floe.deploy.chaos;
