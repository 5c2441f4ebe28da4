/**
 * A trainer's own metrics on a local Prometheus endpoint, off unless {@code floe trainer --metrics-port}
 * turns it on: {@link io.floe.trainer.metrics.TrainerMetrics} (what is measured, one site),
 * {@link io.floe.trainer.metrics.PrometheusText} (the text exposition format) and
 * {@link io.floe.trainer.metrics.MetricsEndpoint} (the JDK's HTTP server, 127.0.0.1 by default). No
 * metrics library: a handful of gauges and counters do not need one, and a site's gateway keeps its
 * dependencies few.
 */
package io.floe.trainer.metrics;
