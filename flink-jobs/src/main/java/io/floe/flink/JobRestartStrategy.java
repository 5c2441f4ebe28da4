package io.floe.flink;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How the job restarts after a failure (a lost TaskManager, a broker away longer than the sink's
 * timeouts): Flink's exponential-delay strategy with floe's bounds, set on the job so that it
 * does not depend on the cluster's defaults.
 *
 * <p>Why not Flink's defaults (initial 1 s, x1.5, at most 1 min, reset after 1 h): a failover
 * campaign on a standalone cluster measured recovery dominated by that 60 s cap (79 s after a new
 * TaskManager came up, because earlier failed attempts had grown the backoff). Input never fails
 * the job (bad records are dead-lettered), so restarts come from infrastructure; a short cap
 * brings the job back within a few seconds of the infrastructure, while the exponential growth
 * still keeps a cluster that cannot run the job from restart-looping at full speed. The backoff
 * starts afresh after {@code resetThreshold} of stable running.
 *
 * <p>{@code cluster} leaves the strategy to the cluster's configuration ({@code restart-strategy.*}
 * in its config file), for operators who manage it there.
 *
 * @param kind {@code exponential-delay} (floe's default) or {@code cluster}
 */
public record JobRestartStrategy(String kind, Duration initialBackoff, Duration maxBackoff, double multiplier,
        Duration resetThreshold, double jitter) {
    public static final String EXPONENTIAL_DELAY = "exponential-delay";
    public static final String CLUSTER = "cluster";

    public JobRestartStrategy {
        if (!EXPONENTIAL_DELAY.equals(kind) && !CLUSTER.equals(kind)) {
            throw new IllegalArgumentException("restart strategy must be " + EXPONENTIAL_DELAY + " or " + CLUSTER
                    + " (the cluster's restart-strategy.* settings), was '" + kind + "'");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("restart backoff must satisfy 0 < initial <= max, was initial " + initialBackoff
                    + ", max " + maxBackoff);
        }
        if (!(multiplier >= 1) || !(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("restart backoff multiplier must be >= 1 and jitter in [0, 1], was " + multiplier
                    + " and " + jitter);
        }
    }

    /** floe's strategy from the job's options: x2 per failed attempt, jitter 0.1, backoff reset after 10 minutes. */
    public static JobRestartStrategy from(AggregationJobOptions options) {
        return new JobRestartStrategy(options.restartStrategy, Duration.ofMillis(options.restartInitialBackoffMs),
                Duration.ofMillis(options.restartMaxBackoffMs), 2.0, Duration.ofMinutes(10), 0.1);
    }

    /** The {@code restart-strategy.*} settings this strategy stands for; empty for {@code cluster}. */
    public Configuration asConfiguration() {
        Configuration c = new Configuration();
        if (CLUSTER.equals(kind)) {
            return c;
        }
        c.set(RestartStrategyOptions.RESTART_STRATEGY, EXPONENTIAL_DELAY);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, initialBackoff);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, maxBackoff);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, multiplier);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD, resetThreshold);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, jitter);
        return c;
    }

    /** Sets the strategy on the job. */
    public void applyTo(StreamExecutionEnvironment env) {
        env.configure(asConfiguration());
    }
}
